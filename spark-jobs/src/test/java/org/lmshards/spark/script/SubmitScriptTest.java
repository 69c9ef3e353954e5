package org.lmshards.spark.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, items 1 and 8: what {@code ./submit.sh} decides before anything is built, in a
 * copy of the project root without data or jar.
 */
class SubmitScriptTest {
    @TempDir
    Path tmp;
    SubmitScript script;

    @BeforeEach
    void copyTheScript() throws Exception {
        script = new SubmitScript(Files.createDirectories(tmp.resolve("root")));
    }

    @Test
    void aMistypedLmshardsDataIsExitThreeNamingThePathNeverTheSyntheticCorpus() throws Exception {
        SubmitScript.Result r = script.run(Map.of("LMSHARDS_DATA", "data/wikitext-tiyn"));
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains("LMSHARDS_DATA=data/wikitext-tiyn: " + script.root.resolve("data/wikitext-tiyn")
                + " does not exist").doesNotContainIgnoringCase("synthetic");
        assertThat(script.mvnCalled).doesNotExist();
        assertThat(script.root.resolve("cache")).doesNotExist();

        Files.createDirectories(script.root.resolve("data/empty"));
        SubmitScript.Result empty = script.run(Map.of("LMSHARDS_DATA", "data/empty"));
        assertThat(empty.code()).isEqualTo(3);
        assertThat(empty.err()).contains(script.root.resolve("data/empty") + " has no train.csv");
    }

    @Test
    void withoutDataTheSyntheticFallbackBuildsTheApplicationAndToolsJars() throws Exception {
        SubmitScript.Result r = script.run(Map.of());
        assertThat(r.code()).as(r.err()).isEqualTo(1);   // the stand-in mvn fails
        assertThat(r.err()).contains("NO REAL DATA FOUND")
                .contains("building spark-jobs/target/lmshards-spark.jar and tools/target/lmshards-tools.jar with Maven")
                .contains("the build failed");
        assertThat(script.mvnCalled).content().contains("-DskipTests package -pl spark-jobs,tools -am");
    }

    @Test
    void withTheApplicationJarBuiltTheSyntheticFallbackBuildsOnlyTheToolsJar() throws Exception {
        Path target = Files.createDirectories(script.root.resolve("spark-jobs/target"));
        Files.writeString(target.resolve("lmshards-spark.jar"), "");
        Files.writeString(target.resolve("spark-classpath.txt"), "");
        SubmitScript.Result r = script.run(Map.of());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("building tools/target/lmshards-tools.jar with Maven");
        assertThat(script.mvnCalled).content().contains("-DskipTests package -pl tools -am");
    }

    @Test
    void helpDescribesTheScriptAndItsEnvironmentWithoutBuildingAnything() throws Exception {
        for (String flag : new String[] {"--help", "-h"}) {
            SubmitScript.Result r = script.run(Map.of(), flag);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("Usage: ./submit.sh [job options]")
                    .contains("--train and\n--output, which the job itself requires, are filled in here")
                    .contains("LMSHARDS_DATA").contains("LMSHARDS_SYNTHETIC=0").contains("LMSHARDS_MASTER")
                    .contains("LMSHARDS_LOCAL").contains("LMSHARDS_CONF_DIR")
                    // without the jar, where the job's options are described
                    .contains("docs/SPARK.md");
            assertThat(r.err()).isEmpty();
            assertThat(script.mvnCalled).doesNotExist();
            assertThat(script.root.resolve("spark-jobs")).doesNotExist();
            assertThat(script.root.resolve("tools")).doesNotExist();
        }
    }
}
