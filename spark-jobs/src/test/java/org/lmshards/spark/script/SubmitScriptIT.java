package org.lmshards.spark.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 8, with the application jar of this build: {@code ./submit.sh --help} appends
 * the job's own options. (The synthetic run without data, items 1 and 7, needs the tools jar
 * too: tools' SyntheticFallbackIT.)
 */
class SubmitScriptIT {
    @TempDir
    Path tmp;

    @Test
    void helpAppendsTheJobsOwnOptions() throws Exception {
        SubmitScript script = new SubmitScript(Files.createDirectories(tmp.resolve("root")));
        script.linkBuiltJar(Path.of(System.getProperty("lmshards.spark.jar")), Path.of(System.getProperty("lmshards.spark.classpath")));

        SubmitScript.Result help = script.run(Map.of(), "--help");
        assertThat(help.code()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: ./submit.sh").contains("The job's options")
                .contains("--min-freq").contains("--on-bad-row");
        assertThat(script.mvnCalled).doesNotExist();
    }
}
