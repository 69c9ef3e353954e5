package org.lmshards.tools.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.spark.script.SubmitScript;

/**
 * Issue 15, items 1, 7 and 8, with the jars of this build (the application jar of spark-jobs and
 * this module's tools jar, which holds the generator): {@code ./submit.sh} without any data
 * falls back to the synthetic corpus and says so in its last line, prints the job's summary
 * once, keeps internal lines out and ends with the next steps.
 */
class SyntheticFallbackIT {
    @TempDir
    Path tmp;

    @Test
    void withoutDataTheSyntheticRunEndsWithTheNextStepsAndSaysSyntheticLast() throws Exception {
        SubmitScript script = new SubmitScript(Files.createDirectories(tmp.resolve("root")));
        script.linkBuiltJar(Path.of(System.getProperty("lmshards.spark.jar")), Path.of(System.getProperty("lmshards.spark.classpath")));
        script.linkToolsJar(Path.of(System.getProperty("lmshards.tools.jar")));
        SubmitScript.Result r = script.run(Map.of("LMSHARDS_SYNTHETIC_MB", "0.3", "LMSHARDS_JAVA_OPTS", "-Xmx1g"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(script.mvnCalled).doesNotExist();
        assertThat(script.root.resolve("cache/synthetic-csv-0.3mb/train.csv")).isRegularFile();
        assertThat(script.root.resolve("cache/synthetic/manifest-0000000001.json")).isRegularFile();   // format 2: published
        assertThat(r.err()).contains("NO REAL DATA FOUND").doesNotContain("committing attempt");
        String all = r.out() + r.err();
        assertThat(all.split("lmshards preprocess: wrote", -1)).as(all).hasSize(2); // the summary once
        assertThat(all).doesNotContain("\u001b[");
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("SYNTHETIC data: cache/synthetic is machine-generated filler");
        assertThat(r.out()).contains("next steps:")
                .contains("java -jar trainer/target/trainer.jar verify --data cache/synthetic")
                .contains("java -jar trainer/target/trainer.jar train --data cache/synthetic --out runs/synthetic");
    }
}
