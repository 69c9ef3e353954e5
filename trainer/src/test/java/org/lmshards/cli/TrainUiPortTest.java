package org.lmshards.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.trainer.train.TrainingUi;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code train --ui-port} in the default build, which does not bundle DL4J's training UI. */
class TrainUiPortTest {
    @TempDir
    Path tmp;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = LmShardsCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void withoutTheUiBuildFailsFastWithUsageExitCode() {
        assumeFalse(TrainingUi.available(), "this is the -Pui build");
        Path runDir = tmp.resolve("run");
        // --data need not exist: the check comes before any data is read or any file written
        int code = run("train", "--data", tmp.resolve("no-such-dataset").toString(), "--out", runDir.toString(),
                "--ui-port", "9123");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--ui-port needs the UI build: mvn -Pcpu,ui -DskipTests package (or -Pcuda,ui)");
        assertThat(runDir).doesNotExist();
    }

    @Test
    void portOutOfRangeIsAUsageError() {
        int code = run("train", "--data", tmp.toString(), "--out", tmp.resolve("run").toString(), "--ui-port", "70000");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--ui-port must be in 1..65535, got 70000");
    }
}
