package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code doctor} on this machine: the CPU build, and no GPU it could use. */
class DoctorCommandTest {

    private static String[] run(String... args) {
        CommandLine cl = LmShardsCli.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        int exit = cl.execute(args);
        return new String[] {String.valueOf(exit), out.toString()};
    }

    @Test
    void reportsTheBuildAndExitsZero() {
        String[] r = run("doctor");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("trainer.jar").contains("nd4j-native").contains("cuda 11 libraries")
                .contains("verdict").containsPattern("summary +train would run on the CPU");
    }

    @Test
    void requireGpuFailsWithTheCpuBuild() {
        String[] r = run("doctor", "--require-gpu");
        assertThat(r[0]).isEqualTo(String.valueOf(ExitCode.INTERNAL));
        assertThat(r[1]).contains("verdict");
    }
}
