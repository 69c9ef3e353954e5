package org.lmshards.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.testing.WikiTextDatasets;
import org.lmshards.trainer.train.console.PassProgress;
import org.lmshards.trainer.train.rundir.RunFiles;

/**
 * Issue 15 item 9: what {@code train} and {@code evaluate} print where no terminal is attached
 * (a log, a pipe; as in this test): progress as plain lines, not a redrawn bar, the 100 % line
 * once per epoch, and at the end where the report is and the commands to use the model.
 */
class TrainConsoleOutputTest {
    @TempDir
    Path tmp;

    @Test
    void withoutATerminalTrainPrintsProgressLinesAndEndsWithTheReportAndNextCommands() throws IOException {
        Path data = tmp.resolve("data");
        WikiTextDatasets.build(data, 3, 1, 2);
        Path run = tmp.resolve("run");
        Captured t = train("train", "--data", data.toString(), "--out", run.toString(), "--bs", "8", "--seq-len", "24",
                "--emb", "16", "--hidden", "32", "--layers", "1", "--epochs", "2", "--workers", "0");
        assertThat(t.code).as(t.err).isZero();
        assertThat(t.out).doesNotContain("\r");
        for (int epoch = 1; epoch <= 2; epoch++) {
            String prefix = "epoch " + epoch + "/2: ";
            List<String> lines = t.out.lines().filter(l -> l.startsWith(prefix) && l.contains("% (")).toList();
            assertThat(lines).as(t.out).hasSizeBetween(2, 11);
            assertThat(lines.stream().filter(l -> l.contains("100% (")).count()).isOne();
            assertThat(lines.get(lines.size() - 1)).contains("100% (").contains("loss ").contains("tok/s");
            assertThat(lines.get(0)).contains("left");
        }
        // a model this small needs no time estimate
        assertThat(t.out).doesNotContain("expect about");
        List<String> tail = t.out.lines().toList();
        assertThat(tail.subList(tail.size() - 4, tail.size())).containsExactly(
                "report: " + run.resolve(RunFiles.REPORT),
                "next:",
                "  java -jar trainer/target/trainer.jar evaluate --model " + run + " --data " + data,
                "  java -jar trainer/target/trainer.jar generate --model " + run + " --prompt \"The album was\" --tokens 50");

        Captured e = train("evaluate", "--model", run.toString(), "--data", data.toString(), "--json");
        assertThat(e.code).as(e.err).isZero();
        assertThat(e.out.lines()).singleElement().asString().startsWith("{");
        assertThat(e.err).contains("evaluate valid: 100% (");
    }

    @Test
    void theDefaultModelSizeGetsAnEpochEstimateFromTheMeasuredPerCoreRate() {
        TrainCommand train = new TrainCommand();
        new picocli.CommandLine(train).parseArgs("--out", tmp.toString());
        LmHyperParams defaults = train.model.hyperParams(9_008); // wikitext-tiny's vocabulary
        assertThat(defaults.parameterCount()).isBetween(27_000_000L, 28_000_000L);
        // 250 batches of 64 x 72 tokens at the tokens/s measured for this size on one core
        double rate = TrainMessages.DEFAULT_MODEL_TOKENS_PER_S;
        String estimate = TrainMessages.epochEstimate(defaults, 250, 64, 72, 1);
        assertThat(estimate).contains("about " + PassProgress.duration(1_152_000 / rate) + " per epoch with 1 replica (")
                .contains("1,152,000 tokens").contains(String.format(java.util.Locale.ROOT, "%,.0f tokens/s", rate))
                .contains("For a quick try, pass a smaller model");
        // two replicas: twice the cores at the measured efficiency
        String two = TrainMessages.epochEstimate(defaults, 250, 64, 72, 2);
        assertThat(two).contains("with 2 replicas").contains(String.format(java.util.Locale.ROOT, "%,.0f tokens/s",
                2 * rate * TrainMessages.REPLICA_EFFICIENCY));
        // the README's small model: per-step overhead is a larger share, about 30,000 tokens/s a core
        LmHyperParams small = new LmHyperParams(9_008, 32, 128, 2, 0, 0, 0, 0, 0, 1e-2, 0, 0, 1);
        assertThat(TrainMessages.epochEstimate(small, 1_000, 64, 72, 1)).contains("about 3 min per epoch")
                .contains("about 30,0").doesNotContain("smaller model");
        assertThat(TrainMessages.epochEstimate(small, 200, 64, 72, 1)).isNull(); // under two minutes: no estimate
        assertThat(TrainMessages.epochEstimate(small, 1_000, 64, 72, 2)).isNull();
    }

    private record Captured(int code, String out, String err) {
    }

    /** The trainer prints to System.out; the command line's own streams hold its messages. */
    private static synchronized Captured train(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        PrintStream old = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(sysErr, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            picocli.CommandLine cl = LmShardsCli.commandLine();
            cl.setOut(new PrintWriter(o, true));
            cl.setErr(new PrintWriter(err, true));
            code = cl.execute(args);
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
        }
        return new Captured(code, out.toString(StandardCharsets.UTF_8), err + sysErr.toString(StandardCharsets.UTF_8));
    }
}
