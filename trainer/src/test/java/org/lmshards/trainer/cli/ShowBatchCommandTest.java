package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.tokenize.Detokenizer;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.testing.CliRun;

import static org.assertj.core.api.Assertions.assertThat;

class ShowBatchCommandTest {
    private static final List<String> TRAIN = List.of(
            "The quick brown fox jumps over the lazy dog. It was not amused, and it said so loudly.",
            "Valkyria Chronicles III is a tactical role-playing game developed by Sega and Media.Vision.",
            "The game began development in 2010, carrying over a large portion of the work done on its predecessor.",
            "It met with positive sales in Japan, and was praised by both Japanese and western critics.");
    private static final List<String> VALID = List.of(
            "Robert Boulter is an English film, television and theatre actor.",
            "He had a guest-starring role on the television series The Bill in 2000.");

    @TempDir
    static Path tmp;
    static Path dataset;
    static List<String> validTokens;

    @BeforeAll
    static void writeDataset() throws Exception {
        FastaiTokenizer tok = FastaiTokenizer.defaults();
        Map<String, Long> counts = new HashMap<>();
        List<List<String>> train = new ArrayList<>();
        for (String s : TRAIN) {
            List<String> t = tok.tokenize(s);
            train.add(t);
            t.forEach(w -> counts.merge(w, 1L, Long::sum));
        }
        List<List<String>> valid = new ArrayList<>();
        validTokens = new ArrayList<>();
        for (String s : VALID) {
            List<String> t = tok.tokenize(s);
            valid.add(t);
            validTokens.addAll(t);
            t.forEach(w -> counts.merge(w, 1L, Long::sum)); // every word known, so decoding is exact
        }
        Vocabulary vocab = Vocabulary.build(counts, 1, 60000);
        dataset = tmp.resolve("ds");
        try (DatasetWriter w = DatasetWriter.create(dataset, vocab, 16)) {
            SplitWriter t = w.split("train");
            for (List<String> d : train) {
                t.addDocument(vocab.encode(d));
            }
            SplitWriter v = w.split("valid");
            for (List<String> d : valid) {
                v.addDocument(vocab.encode(d));
            }
            w.commit(Map.of("name", tok.name(), "settings", tok.settings()), Map.of("files", List.of()), Map.of());
        }
    }

    @Test
    void printsInputAndTargetTextOfTheFirstRows() {
        CliRun.Result r = CliRun.run("show-batch", "--data", dataset.toString(), "--split", "valid", "--max-n", "2", "--bs", "3",
                "--seq-len", "6");
        assertThat(r.code()).as(r.err()).isZero();
        int n = validTokens.size();
        int bl = (n - 1) / 3;
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).contains("split valid").contains(n + " tokens").contains("not shuffled");
        assertThat(lines).hasSize(1 + 2 * 3);
        for (int j = 0; j < 2; j++) {
            assertThat(lines.get(1 + 3 * j)).isEqualTo("row " + j);
            String input = Detokenizer.detokenize(validTokens.subList(j * bl, j * bl + 6));
            String target = Detokenizer.detokenize(validTokens.subList(j * bl + 1, j * bl + 7));
            assertThat(lines.get(2 + 3 * j)).isEqualTo("  text : " + input);
            assertThat(lines.get(3 + 3 * j)).isEqualTo("  text_: " + target);
        }
        assertThat(lines.get(2)).isEqualTo("  text : Robert Boulter is"); // xxbos xxmaj robert xxmaj boulter is
    }

    @Test
    void tokensModeShowsFastaiTokens() {
        CliRun.Result r = CliRun.run("show-batch", "--data", dataset.toString(), "--split", "valid", "--max-n", "1", "--bs", "2",
                "--seq-len", "4", "--tokens");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("  text : xxbos xxmaj robert xxmaj").contains("  text_: xxmaj robert xxmaj boulter");
    }

    @Test
    void trainSplitIsShuffledAndShowsRealText() {
        CliRun.Result r = CliRun.run("show-batch", "--data", dataset.toString(), "--split", "train", "--max-n", "2", "--bs", "2",
                "--seq-len", "10", "--seed", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("documents shuffled with seed 3").contains("row 1").doesNotContain("row 2");
    }

    @Test
    void failuresMapToExitCodes() {
        CliRun.Result missing = CliRun.run("show-batch", "--data", tmp.resolve("nope").toString());
        assertThat(missing.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(missing.err()).contains("nope");
        CliRun.Result noSplit = CliRun.run("show-batch", "--data", dataset.toString(), "--split", "test");
        assertThat(noSplit.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(noSplit.err()).contains("'test' does not exist");
        CliRun.Result tooBig = CliRun.run("show-batch", "--data", dataset.toString(), "--split", "valid", "--bs", "500");
        assertThat(tooBig.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(tooBig.err()).contains("too few for batch size 500");
        CliRun.Result usage = CliRun.run("show-batch", "--data", dataset.toString(), "--max-n", "0");
        assertThat(usage.code()).isEqualTo(ExitCode.USAGE);
        assertThat(Files.exists(dataset)).isTrue();
    }
}
