package org.lmshards.trainer.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ExitCode;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.generate.TextGenerator;
import org.lmshards.trainer.model.LmNetworks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25 items 4 and 5, the trainer's part: option values that were accepted and then failed
 * late (or did nothing) are usage errors naming the option; a missing {@code --init-from} run is
 * named as such; {@code generate} streams its tokens, so its memory does not grow with
 * {@code --tokens}.
 */
class TrainerMessagesTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path run;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainTinyRun() throws Exception {
        data = shared.resolve("ds");
        TinyRuns.writeDataset(data);
        run = shared.resolve("run");
        TinyRuns.Result r = TinyRuns.cli(OutputOwnershipTest.train(data, run));
        assertThat(r.code()).as(r.err()).isZero();
    }

    private TinyRuns.Result train(Path out, String... extra) {
        List<String> a = OutputOwnershipTest.train(data, out);
        a.addAll(List.of(extra));
        return TinyRuns.cli(a);
    }

    private static void usageError(TinyRuns.Result r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).startsWith("error: " + message);
    }

    @Test
    void nonFiniteNumbersAreUsageErrorsNamingTheOption() {
        Path out = tmp.resolve("run");
        usageError(train(out, "--lr", "Infinity"), "--lr must be a finite number, got Infinity\n");
        usageError(train(out, "--checkpoint-minutes", "NaN"), "--checkpoint-minutes must be a finite number, got NaN\n");
        usageError(train(out, "--clip", "NaN"), "--clip must be a finite number, got NaN\n");
        TinyRuns.Result lrFind = TinyRuns.cli(List.of("lr-find", "--data", data.toString(), "--out",
                out.toString(), "--lr", "-Infinity", "--iterations", "3"));
        usageError(lrFind, "--lr must be a finite number, got -Infinity\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void freezeEpochsNeedInitFromAndNoMoreThanEpochs() {
        Path out = tmp.resolve("run");
        usageError(train(out, "--freeze-epochs", "1"), "--freeze-epochs needs --init-from");
        usageError(train(out, "--freeze-epochs", "3", "--init-from", run.toString()),
                "--freeze-epochs 3 is more than --epochs 1");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMissingInitFromRunIsNamedAsSuch() {
        Path missing = tmp.resolve("no-such-run");
        TinyRuns.Result r = train(tmp.resolve("run"), "--init-from", missing.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).isEqualTo("error: " + missing + ": no such directory (--init-from takes the run directory"
                + " that train --out wrote)\n");
    }

    /** The streamed text is the text the whole-list detokenizer gives. */
    @Test
    void streamedGenerationIsTheSameText() throws Exception {
        var net = LmNetworks.load(run.resolve("model.zip"));
        Vocabulary vocab = Vocabulary.read(run.resolve("vocab.json"));
        TextGenerator g = new TextGenerator(net, vocab);
        String whole = g.generate("w1 w2 w3", 300, 0.8, 3).text();
        StringBuilder streamed = new StringBuilder();
        g.stream("w1 w2 w3", 300, 0.8, 3, streamed, () -> { });
        assertThat(streamed.toString()).isEqualTo(whole);
    }

    /**
     * {@code generate --tokens 100000000} in a JVM of 256 MiB: it used to pre-size a list to the
     * token count (an OutOfMemoryError at once); now text comes out as it is generated. The test
     * waits for the first 20 kB of text (a fact), then stops it.
     */
    @Test
    void aHugeTokenCountStreamsInBoundedMemory() throws Exception {
        Path log = tmp.resolve("generate.log");
        Process p = TrainerCrashTest.child(log, List.of("-Xmx256m"), new ArrayList<>(List.of("generate", "--model",
                run.toString(), "--prompt", "w1 w2", "--tokens", "100000000")));
        try {
            while (Files.size(log) < 20_000) {
                assertThat(p.isAlive()).as(ChildProcesses.tail(log)).isTrue();
                Thread.sleep(10);
            }
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError").doesNotContain("error:").contains("w");
    }
}
