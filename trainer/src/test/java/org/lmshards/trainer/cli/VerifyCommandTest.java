package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.shard.SourceFile;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.testing.CliRun;

import static org.assertj.core.api.Assertions.assertThat;

class VerifyCommandTest {
    @TempDir
    Path tmp;
    Path dir;

    @BeforeEach
    void writeDataset() throws IOException {
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            counts.put("w" + i, 100L - i);
        }
        Vocabulary vocab = Vocabulary.build(counts, 1, 1000); // 9 + 30 = 39, padded to 40
        dir = tmp.resolve("ds");
        try (DatasetWriter w = DatasetWriter.create(dir, vocab, 50)) {
            SplitWriter train = w.split("train");
            for (int d = 0; d < 20; d++) {
                int[] doc = new int[10 + d];
                for (int i = 0; i < doc.length; i++) {
                    doc[i] = (d * 7 + i) % vocab.size();
                }
                train.addDocument(doc);
            }
            w.split("valid").addDocument(new int[] {2, 9, 10, 11});
            w.commit(Map.of("name", "test"), SourceFile.fingerprint(List.of()), Map.of());
        }
    }

    @Test
    void goodDatasetGivesExitZeroAndOneSummaryLine() {
        CliRun.Result r = CliRun.run("verify", "--data", dir.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out().lines()).singleElement().asString()
                .isEqualTo(dir + ": ok: 2 splits (train 390 tokens / 20 docs, valid 4 tokens / 1 docs), "
                        + "8 shards, vocab 40"); // train: 7 shards of >= 50 tokens at document boundaries, valid: 1
        assertThat(r.err()).isEmpty();
    }

    @Test
    void corruptShardGivesExitThreeNamingTheFile() throws IOException {
        Path shard = dir.resolve("train/tokens-00002.npy");
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}), 200); // a data byte: only the checksum notices
        }
        CliRun.Result r = CliRun.run("verify", "--data", dir.toString());
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).startsWith("error: " + shard + ": checksum mismatch");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void incompleteDatasetGivesExitThree() throws IOException {
        Files.delete(dir.resolve("_SUCCESS"));
        CliRun.Result r = CliRun.run("verify", "--data", dir.toString());
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).contains(dir.resolve("_SUCCESS") + ": _SUCCESS missing");
    }

    @Test
    void missingDirectoryGivesExitThree() {
        Path nowhere = tmp.resolve("nowhere");
        CliRun.Result r = CliRun.run("verify", "--data", nowhere.toString());
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).contains(nowhere + ": no such directory");
    }

    @Test
    void aFolderOfRawCsvsIsNotADatasetAndThePreprocessingIsSuggested() throws IOException {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        Files.writeString(corpus.resolve("train.csv"), "\"An article.\"\n");
        CliRun.Result r = CliRun.run("verify", "--data", corpus.toString());
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).startsWith("error: " + corpus + ": not a dataset (no meta.json, vocab.json or _SUCCESS)")
                .contains("./submit.sh --train " + corpus).doesNotContain("incomplete");
    }

    @Test
    void missingOptionIsAUsageError() {
        CliRun.Result r = CliRun.run("verify");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("--data");
    }
}
