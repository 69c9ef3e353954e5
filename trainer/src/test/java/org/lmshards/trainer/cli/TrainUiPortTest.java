package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.trainer.testing.CliRun;
import org.lmshards.trainer.train.console.TrainingUi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code train --ui-port} in the default build, which does not bundle DL4J's training UI. */
class TrainUiPortTest {
    @TempDir
    Path tmp;

    @Test
    void withoutTheUiBuildFailsFastWithUsageExitCode() {
        assumeFalse(TrainingUi.available(), "this is the -Pui build");
        Path runDir = tmp.resolve("run");
        // --data need not exist: the check comes before any data is read or any file written
        CliRun.Result r = CliRun.run("train", "--data", tmp.resolve("no-such-dataset").toString(), "--out", runDir.toString(),
                "--ui-port", "9123");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("--ui-port needs the UI build: mvn -Pcpu,ui -DskipTests package (or -Pcuda,ui)");
        assertThat(runDir).doesNotExist();
    }

    @Test
    void portOutOfRangeIsAUsageError() {
        CliRun.Result r = CliRun.run("train", "--data", tmp.toString(), "--out", tmp.resolve("run").toString(), "--ui-port", "70000");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("--ui-port must be in 1..65535, got 70000");
    }
}
