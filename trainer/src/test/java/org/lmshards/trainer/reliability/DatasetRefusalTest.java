package org.lmshards.trainer.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.ShardFormatException;
import org.lmshards.core.shard.SourceFile;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.testing.CliRun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 6, "Dataset files": every corruption of a dataset is refused by {@code trainer.jar verify}
 * (exit 3) and by {@code trainer.jar train} (exit 3, nothing trained, no checkpoint or model), each
 * with a message naming the damaged file. Core's {@code ShardCorruptionTest} proves the library
 * level (one test per problem); this test proves the two commands a user runs.
 */
class DatasetRefusalTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DATA_BYTE = 200; // past the 128-byte .npy header: a token id

    /** A good dataset written once; each case corrupts its own copy. */
    static Path template;

    @TempDir
    Path tmp;
    Path dir;

    /** One corruption: what to do to a copy of the dataset, and which file the message must name. */
    interface Corruption {
        Path apply(Path dataset) throws IOException;
    }

    record Case(String name, String problem, Corruption corruption) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> corruptions() {
        return Stream.of(
                new Case("truncated shard", "truncated", d -> {
                    Path f = d.resolve("train/tokens-00001.npy");
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.truncate(ch.size() - 3);
                    }
                    return f;
                }),
                new Case("flipped byte", "checksum mismatch", d -> {
                    Path f = d.resolve("train/tokens-00002.npy");
                    flipByte(f, DATA_BYTE);
                    return f;
                }),
                new Case("flipped byte in a document index", "bad document index", d -> {
                    Path f = d.resolve("train/docs-00001.npy");
                    flipByte(f, 128); // offsets[0]: 0 becomes 1
                    return f;
                }),
                new Case("shard removed", "missing shard", d -> {
                    Path f = d.resolve("train/tokens-00003.npy");
                    Files.delete(f);
                    return f;
                }),
                new Case("extra shard", "extra shard", d -> {
                    int n = JSON.readTree(d.resolve("train/meta.json").toFile()).get("shards").size();
                    Path f = d.resolve(String.format("train/tokens-%05d.npy", n));
                    Files.copy(d.resolve("train/tokens-00000.npy"), f);
                    return f;
                }),
                new Case("meta.json missing", "meta.json missing", d -> {
                    Path f = d.resolve("valid/meta.json");
                    Files.delete(f);
                    return f;
                }),
                new Case("meta.json malformed", "malformed meta.json", d -> {
                    Path f = d.resolve("train/meta.json");
                    String s = Files.readString(f);
                    Files.writeString(f, s.substring(0, s.length() / 2)); // cut off, as by a crash of a non-atomic writer
                    return f;
                }),
                new Case("vocab.json size disagreeing with meta.json", "vocab size mismatch", d -> {
                    vocab(50).write(d.resolve("vocab.json"));
                    return d.resolve("train/meta.json");
                }),
                new Case("flipped byte in vocab.json (same size, one letter of a token)", "checksum mismatch", d -> {
                    // issue 25: it passed verify and train, and the model then generated the misspelt word
                    Path f = d.resolve("vocab.json");
                    flipByte(f, Files.readString(f).indexOf("\"w1\"") + 1); // w1 becomes v1
                    return f;
                }),
                new Case("ids not below the vocabulary size (checksums made consistent)", "id out of range", d -> {
                    Path f = d.resolve("train/tokens-00001.npy");
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF}), DATA_BYTE); // id 65535
                    }
                    fixChecksum(d.resolve("train"), 1, f);
                    return f;
                }),
                new Case("_SUCCESS missing", "_SUCCESS missing", d -> {
                    Path f = d.resolve("_SUCCESS");
                    Files.delete(f);
                    return f;
                }));
    }

    @BeforeAll
    static void writeTemplate(@TempDir Path shared) throws IOException {
        Vocabulary vocab = vocab(30); // 39 entries, uint16
        template = shared.resolve("ds");
        try (DatasetWriter w = DatasetWriter.create(template, vocab, 50)) {
            SplitWriter train = w.split("train");
            for (int d = 0; d < 40; d++) {
                int[] doc = new int[12 + d % 9];
                for (int i = 0; i < doc.length; i++) {
                    doc[i] = (d * 7 + i * 3) % vocab.size();
                }
                train.addDocument(doc);
            }
            SplitWriter valid = w.split("valid");
            for (int d = 0; d < 6; d++) {
                valid.addDocument(new int[] {2, 9 + d, 10, 11, 12 + d, 13, 14, 15, 16, 17, 18, 19});
            }
            w.commit(Map.of("name", "test"), SourceFile.fingerprint(List.of()), Map.of());
        }
    }

    @BeforeEach
    void copyTemplate() throws IOException {
        dir = tmp.resolve("ds");
        try (Stream<Path> paths = Files.walk(template)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.copy(p, dir.resolve(template.relativize(p).toString()));
            }
        }
        assertThat(CliRun.run("verify", "--data", dir.toString()).code()).as("the uncorrupted copy verifies").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void verifyRefusesWithExitThreeNamingTheFile(Case c) throws IOException {
        Path file = c.corruption().apply(dir);
        CliRun.Result r = CliRun.run("verify", "--data", dir.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).startsWith("error: " + file + ": " + c.problem());
        assertThat(r.out()).isEmpty();
        // The library reports the same file and problem (what the trainer relies on).
        assertThatThrownBy(() -> DatasetVerifier.verify(dir)).isInstanceOfSatisfying(ShardFormatException.class,
                e -> assertThat(e.file()).isEqualTo(file.toString()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void trainRefusesWithExitThreeNamingTheFileAndWritesNoModel(Case c) throws IOException {
        Path file = c.corruption().apply(dir);
        Path run = tmp.resolve("run");
        CliRun.Result r = CliRun.run("train", "--data", dir.toString(), "--out", run.toString(), "--bs", "2", "--seq-len", "8",
                "--emb", "8", "--hidden", "8", "--layers", "1", "--epochs", "1", "--workers", "0", "--no-progress");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).startsWith("error: ").contains(file.toString()).contains(c.problem());
        assertThat(run.resolve("model.zip")).doesNotExist();
        assertThat(run.resolve("checkpoint.zip")).doesNotExist();
    }

    static Vocabulary vocab(int words) {
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < words; i++) {
            counts.put("w" + i, 100L - i);
        }
        return Vocabulary.build(counts, 1, 1000);
    }

    static void flipByte(Path f, long pos) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, pos);
            b.put(0, (byte) (b.get(0) ^ 0x01));
            b.rewind();
            ch.write(b, pos);
        }
    }

    /** Rewrites the CRC32C of a token file in meta.json, so that only the id range check can notice the change. */
    static void fixChecksum(Path split, int shard, Path tokens) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(Files.readAllBytes(tokens));
        Path metaFile = split.resolve("meta.json");
        ObjectNode meta = (ObjectNode) JSON.readTree(metaFile.toFile());
        ((ObjectNode) meta.get("shards").get(shard)).put("tokens_crc32c", crc.getValue());
        JSON.writerWithDefaultPrettyPrinter().writeValue(metaFile.toFile(), meta);
    }
}
