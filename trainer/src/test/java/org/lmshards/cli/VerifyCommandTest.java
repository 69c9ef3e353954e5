package org.lmshards.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class VerifyCommandTest {
    @TempDir
    Path tmp;
    Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

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

    private int run(String... args) {
        CommandLine cl = LmShardsCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void goodDatasetGivesExitZeroAndOneSummaryLine() {
        int code = run("verify", "--data", dir.toString());
        assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
        assertThat(out.toString().lines()).singleElement().asString()
                .isEqualTo(dir + ": ok: 2 splits (train 390 tokens / 20 docs, valid 4 tokens / 1 docs), "
                        + "8 shards, vocab 40"); // train: 7 shards of >= 50 tokens at document boundaries, valid: 1
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void corruptShardGivesExitThreeNamingTheFile() throws IOException {
        Path shard = dir.resolve("train/tokens-00002.npy");
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}), 200); // a data byte: only the checksum notices
        }
        int code = run("verify", "--data", dir.toString());
        assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).startsWith("error: " + shard + ": checksum mismatch");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void incompleteDatasetGivesExitThree() throws IOException {
        Files.delete(dir.resolve("_SUCCESS"));
        assertThat(run("verify", "--data", dir.toString())).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).contains(dir.resolve("_SUCCESS") + ": _SUCCESS missing");
    }

    @Test
    void missingDirectoryGivesExitThree() {
        Path nowhere = tmp.resolve("nowhere");
        assertThat(run("verify", "--data", nowhere.toString())).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).contains(nowhere + ": not a directory");
    }

    @Test
    void missingOptionIsAUsageError() {
        assertThat(run("verify")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--data");
    }
}
