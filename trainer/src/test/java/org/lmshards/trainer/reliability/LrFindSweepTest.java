package org.lmshards.trainer.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ExitCode;
import org.lmshards.trainer.train.loop.SweepLength;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25 item 7, the sweep: {@code lr-find}'s default sweep is sized by the train split
 * ({@code --iterations auto}: one epoch, at least {@link SweepLength#MIN} batches), not
 * fastai's fixed 100 batches, which on the README's small model ended before the loss fell; a
 * bad {@code --iterations} is one usage error and writes nothing.
 */
class LrFindSweepTest {
    @TempDir
    static Path shared;
    static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeDataset() throws Exception {
        data = shared.resolve("ds");
        TinyRuns.writeDataset(data);
    }

    private static List<String> lrFind(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("lr-find", "--data", data.toString(), "--out", out.toString(),
                "--bs", "4", "--seq-len", "12", "--emb", "8", "--hidden", "12", "--layers", "1", "--replicas", "1",
                "--end-lr", "1e-2"));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void theDefaultSweepIsOneEpochRaisedToTheFloor() throws Exception {
        Path out = tmp.resolve("lr");
        TinyRuns.Result r = TinyRuns.cli(lrFind(out));
        assertThat(r.code()).as(r.err()).isZero();
        // 2,000 tokens in rows of 4 x 12: about 41 batches an epoch, so auto sweeps the floor;
        // --end-lr 1e-2 keeps the tiny model from diverging, so every batch is recorded
        assertThat(r.out()).containsPattern("300 of 300 batches \\(an epoch is 4\\d\\)");
        assertThat(Files.readAllLines(out.resolve("lr_find.jsonl"))).hasSize(SweepLength.MIN);
    }

    @Test
    void aNumberGivenIsSweptAsGiven() throws Exception {
        Path out = tmp.resolve("lr");
        TinyRuns.Result r = TinyRuns.cli(lrFind(out, "--iterations", "7"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readAllLines(out.resolve("lr_find.jsonl"))).hasSize(7);
    }

    @Test
    void aBadIterationsValueIsOneUsageErrorAndWritesNothing() {
        for (String bad : List.of("1", "0", "-3", "2.5", "ten", "", "100000000000")) {
            Path out = tmp.resolve("bad");
            TinyRuns.Result r = TinyRuns.cli(lrFind(out, "--iterations", bad));
            assertThat(r.code()).as(bad).isEqualTo(ExitCode.USAGE);
            List<String> lines = r.err().lines().toList();
            assertThat(lines.get(0)).as(bad).isEqualTo("error: --iterations must be a whole number >= 2 or auto, got '"
                    + bad + "'");
            assertThat(lines).as(bad).hasSizeLessThanOrEqualTo(2); // the message, then where --help is
            assertThat(out).as(bad).doesNotExist();
        }
    }
}
