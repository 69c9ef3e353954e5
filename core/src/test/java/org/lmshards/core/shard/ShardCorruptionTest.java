package org.lmshards.core.shard;

import org.lmshards.core.io.LocalFiles;
import org.lmshards.core.ShardFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every malformed file gives a {@link ShardFormatException} naming the file and the specific problem. */
class ShardCorruptionTest {
    @TempDir
    Path tmp;
    Path dir;
    Path train;
    Vocabulary vocab;
    Path tokens0;
    Path docs1;

    /** Written once (fsyncs are slow); each test corrupts its own copy. */
    static Path template;

    @BeforeAll
    static void writeTemplate(@TempDir Path shared) throws IOException {
        Vocabulary v = Fixtures.vocabWithTokens(10); // 24 entries, uint16
        template = shared.resolve("ds");
        Fixtures.write(template, v, 20, Fixtures.randomDocs(7, 12, 15, v.size()), Fixtures.randomDocs(8, 3, 5, v.size()));
    }

    @BeforeEach
    void copyDataset() throws IOException {
        vocab = Fixtures.vocabWithTokens(10);
        dir = tmp.resolve("ds");
        try (var paths = Files.walk(template)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.copy(p, dir.resolve(template.relativize(p).toString()));
            }
        }
        train = dir.resolve("train");
        tokens0 = train.resolve("tokens-00000.npy");
        docs1 = train.resolve("docs-00001.npy");
        assertThat(Fixtures.readMeta(train).shards()).hasSizeGreaterThanOrEqualTo(3);
        DatasetVerifier.verify(dir); // the fixture itself is good
    }

    /** Opening the split fails with exactly this file and a problem starting with {@code problem}. */
    private void assertOpenFails(Path file, String problem) {
        assertFails(() -> TokenStore.open(dir, "train").close(), file, problem);
        assertFails(() -> DatasetVerifier.verify(dir), file, problem);
    }

    /** Only the full check finds it. */
    private void assertOnlyVerifyFails(Path file, String problem) throws IOException {
        TokenStore.open(dir, "train").close();
        assertFails(() -> DatasetVerifier.verify(dir), file, problem);
    }

    private static void assertFails(ThrowingCallable call, Path file, String problem) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ShardFormatException.class, e -> {
            assertThat(e.file()).isEqualTo(file.toString());
            assertThat(e.problem()).startsWith(problem);
            assertThat(e.getMessage()).isEqualTo(file + ": " + e.problem());
        });
    }

    private static void patch(Path file, long pos, byte... bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), pos);
        }
    }

    private static void writeNpy(Path file, NpyDtype dtype, long[] values) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); NpyArrayWriter w = new NpyArrayWriter(out, dtype, values.length)) {
            for (long v : values) {
                w.writeLong(v);
            }
        }
    }

    private long[] tokensOf(int shard) throws IOException {
        try (TokenStore t = TokenStore.open(dir, "train")) {
            ShardMeta sm = t.meta().shards().get(shard);
            long[] out = new long[(int) sm.numTokens()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.get(sm.firstToken() + i);
            }
            return out;
        }
    }

    /** Issue 25: one letter of a token changed, same size, same parse: every open refuses it now. */
    @Test
    void aFlippedByteInVocabJsonIsAChecksumMismatchOnEveryOpen() throws IOException {
        Path vocabFile = dir.resolve(ShardLayout.VOCAB);
        patch(vocabFile, Files.readString(vocabFile).indexOf("\"w1\"") + 1, (byte) 'v');
        assertThat(Vocabulary.read(vocabFile).size()).as("still a valid vocabulary of the same size").isEqualTo(vocab.size());
        assertOpenFails(vocabFile, "checksum mismatch");
        assertFails(() -> {
            try (Dataset ds = Dataset.open(dir)) {
                ds.split("valid").close();
            }
        }, vocabFile, "checksum mismatch");
    }

    /** Datasets written before the vocabulary checksum existed still open and verify. */
    @Test
    void aMetaJsonWithoutTheVocabChecksumStillOpens() throws IOException {
        assertThat(Files.readString(train.resolve(ShardLayout.META))).contains("\"" + VocabChecksum.FIELD + "\"");
        for (String split : new String[] {"train", "valid"}) {
            Fixtures.writeMeta(dir.resolve(split), Fixtures.readMeta(dir.resolve(split)));
        }
        assertThat(Files.readString(train.resolve(ShardLayout.META))).doesNotContain(VocabChecksum.FIELD);
        DatasetVerifier.verify(dir);
    }

    @Test
    void badMagic() throws IOException {
        patch(tokens0, 1, (byte) 'X');
        assertOpenFails(tokens0, "bad magic");
    }

    @Test
    void notAnNpyFileAtAll() throws IOException {
        Files.writeString(tokens0, "hello, I am text and not an array");
        assertOpenFails(tokens0, "bad magic");
    }

    @Test
    void unsupportedNpyVersion() throws IOException {
        patch(tokens0, 6, (byte) 2);
        assertOpenFails(tokens0, "unsupported .npy version 2.0");
    }

    @Test
    void malformedHeader() throws IOException {
        patch(tokens0, 10, (byte) '[');
        assertOpenFails(tokens0, "malformed header");
    }

    @Test
    void truncatedData() throws IOException {
        try (FileChannel ch = FileChannel.open(tokens0, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 2);
        }
        assertOpenFails(tokens0, "truncated");
    }

    @Test
    void truncatedInsideTheHeader() throws IOException {
        try (FileChannel ch = FileChannel.open(docs1, StandardOpenOption.WRITE)) {
            ch.truncate(40);
        }
        assertOpenFails(docs1, "truncated");
    }

    @Test
    void emptyFileIsTruncated() throws IOException {
        Files.write(tokens0, new byte[0]);
        assertOpenFails(tokens0, "truncated");
    }

    @Test
    void trailingBytes() throws IOException {
        Files.write(docs1, new byte[] {0, 0, 0, 0, 0, 0, 0, 0}, StandardOpenOption.APPEND);
        assertOpenFails(docs1, "trailing bytes");
    }

    @Test
    void dtypeMismatch() throws IOException {
        writeNpy(tokens0, NpyDtype.INT32, tokensOf(0)); // same values, stored as int32 although the vocabulary needs uint16
        assertOpenFails(tokens0, "dtype mismatch: descr '<i4' (int32) but meta.json requires '<u2' (uint16)");
    }

    @Test
    void dtypeInMetaDisagreesWithTheVocabularySize() throws IOException {
        SplitMeta m = Fixtures.readMeta(train);
        Fixtures.writeMeta(train, new SplitMeta(m.format(), m.formatVersion(), m.split(), "int32", m.vocabSize(),
                m.totalTokens(), m.numDocs(), m.shards(), m.tokenizer(), m.source(), m.settings(), m.rejectedRows(),
                m.createdAt(), m.toolVersion()));
        assertOpenFails(train.resolve("meta.json"), "dtype mismatch: dtype int32 but a vocabulary of 24 requires uint16");
    }

    @Test
    void countMismatchBetweenShapeAndMeta() throws IOException {
        long[] t = tokensOf(0);
        long[] fewer = java.util.Arrays.copyOf(t, t.length - 1);
        writeNpy(tokens0, NpyDtype.UINT16, fewer);
        assertOpenFails(tokens0, "count mismatch: shape (" + fewer.length + ",) but meta.json num_tokens is " + t.length);
    }

    @Test
    void countMismatchInMetaTotals() throws IOException {
        SplitMeta m = Fixtures.readMeta(train);
        Fixtures.writeMeta(train, new SplitMeta(m.format(), m.formatVersion(), m.split(), m.dtype(), m.vocabSize(),
                m.totalTokens() + 1, m.numDocs(), m.shards(), m.tokenizer(), m.source(), m.settings(),
                m.rejectedRows(), m.createdAt(), m.toolVersion()));
        assertOpenFails(train.resolve("meta.json"), "count mismatch: total_tokens");
    }

    @Test
    void countMismatchInRunningSums() throws IOException {
        Fixtures.editShard(train, 1, s -> new ShardMeta(s.index(), s.tokensFile(), s.docsFile(), s.numTokens(),
                s.numDocs(), s.firstDoc() + 1, s.firstToken(), s.tokensCrc32c(), s.docsCrc32c()));
        assertOpenFails(train.resolve("meta.json"), "count mismatch: shards[1] has first_doc");
    }

    @Test
    void checksumMismatch() throws IOException {
        long[] t = tokensOf(0);
        t[3] = (t[3] + 1) % vocab.size(); // still a valid id: only the checksum can tell
        writeNpy(tokens0, NpyDtype.UINT16, t);
        assertOnlyVerifyFails(tokens0, "checksum mismatch");
    }

    @Test
    void checksumMismatchOfADocumentIndex() throws IOException {
        Fixtures.editShard(train, 1, s -> new ShardMeta(s.index(), s.tokensFile(), s.docsFile(), s.numTokens(),
                s.numDocs(), s.firstDoc(), s.firstToken(), s.tokensCrc32c(), s.docsCrc32c() ^ 1));
        assertOnlyVerifyFails(docs1, "checksum mismatch");
    }

    @Test
    void idOutOfRangeReportsItsOffset() throws IOException {
        long[] t = tokensOf(0);
        t[5] = vocab.size(); // fits uint16 but is not a vocabulary id
        writeNpy(tokens0, NpyDtype.UINT16, t);
        Fixtures.fixChecksums(train, 0);
        assertOnlyVerifyFails(tokens0, "id out of range: 24 at token offset 5 (split offset 5) is not < vocab size 24");
    }

    @Test
    void idOutOfRangeInALaterShardReportsBothOffsets() throws IOException {
        Path tokens1 = train.resolve("tokens-00001.npy");
        long[] t = tokensOf(1);
        long first = Fixtures.readMeta(train).shards().get(1).firstToken();
        t[2] = 65535;
        writeNpy(tokens1, NpyDtype.UINT16, t);
        Fixtures.fixChecksums(train, 1);
        assertOnlyVerifyFails(tokens1, "id out of range: 65535 at token offset 2 (split offset " + (first + 2) + ")");
    }

    @Test
    void documentIndexNotIncreasing() throws IOException {
        SplitMeta m = Fixtures.readMeta(train);
        ShardMeta s1 = m.shards().get(1);
        assertThat(s1.numDocs()).isGreaterThanOrEqualTo(2);
        long[] offsets = new long[(int) s1.numDocs() + 1];
        offsets[offsets.length - 1] = s1.numTokens(); // all interior offsets 0: not strictly increasing
        writeNpy(docs1, NpyDtype.INT64, offsets);
        Fixtures.fixChecksums(train, 1);
        assertOnlyVerifyFails(docs1, "bad document index: offsets[1] = 0 is not greater than offsets[0] = 0");
    }

    @Test
    void documentIndexNotEndingAtTheTokenCount() throws IOException {
        ShardMeta s1 = Fixtures.readMeta(train).shards().get(1);
        long[] offsets = new long[(int) s1.numDocs() + 1];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = i;
        }
        writeNpy(docs1, NpyDtype.INT64, offsets);
        assertOpenFails(docs1, "bad document index: offsets run from 0 to " + s1.numDocs());
    }

    @Test
    void missingShard() throws IOException {
        Files.delete(docs1);
        assertOpenFails(docs1, "missing shard");
    }

    @Test
    void missingTokenFileOfTheLastShard() throws IOException {
        int last = Fixtures.readMeta(train).shards().size() - 1;
        Path f = train.resolve(ShardLayout.tokensFile(last));
        Files.delete(f);
        assertOpenFails(f, "missing shard");
    }

    @Test
    void extraShard() throws IOException {
        int n = Fixtures.readMeta(train).shards().size();
        Path extra = train.resolve(ShardLayout.tokensFile(n));
        Files.copy(tokens0, extra);
        assertOpenFails(extra, "extra shard");
    }

    @Test
    void temporaryFilesAreNotShards() throws IOException {
        Files.copy(tokens0, train.resolve("tokens-00099.npy.1234.tmp"));
        DatasetVerifier.verify(dir);
    }

    @Test
    void metaJsonMissing() throws IOException {
        Files.delete(train.resolve("meta.json"));
        assertOpenFails(train.resolve("meta.json"), "meta.json missing");
    }

    @Test
    void metaJsonMalformed() throws IOException {
        Files.writeString(train.resolve("meta.json"), "{\"format\": \"lmshards-split\", ");
        assertOpenFails(train.resolve("meta.json"), "malformed meta.json");
    }

    @Test
    void metaJsonLackingARequiredField() throws IOException {
        String json = Files.readString(train.resolve("meta.json")).replace("\"total_tokens\"", "\"total_tokens_x\"");
        Files.writeString(train.resolve("meta.json"), json);
        assertOpenFails(train.resolve("meta.json"), "malformed meta.json");
    }

    @Test
    void metaJsonOfAnotherFormatVersion() throws IOException {
        String json = Files.readString(train.resolve("meta.json")).replace("\"format_version\" : 1", "\"format_version\" : 2");
        Files.writeString(train.resolve("meta.json"), json);
        assertOpenFails(train.resolve("meta.json"), "unsupported format_version 2");
    }

    @Test
    void metaJsonIgnoresUnknownFields() throws IOException {
        String json = Files.readString(train.resolve("meta.json")).replaceFirst("\\{", "{\"future_field\": [1, 2],");
        Files.writeString(train.resolve("meta.json"), json);
        DatasetVerifier.verify(dir);
    }

    @Test
    void successMarkerMissing() throws IOException {
        Path success = dir.resolve("_SUCCESS");
        Files.delete(success);
        assertOpenFails(success, "_SUCCESS missing");
        assertFails(() -> Dataset.open(dir), success, "_SUCCESS missing");
    }

    @Test
    void aDirectoryWithoutAnyDatasetFileIsNotADatasetRatherThanAnIncompleteOne() throws IOException {
        Path empty = Files.createDirectories(dir.resolveSibling("empty"));
        assertFails(() -> Dataset.open(empty), empty, "not a dataset (no meta.json, vocab.json or _SUCCESS)");
        assertFails(() -> DatasetVerifier.verify(empty), empty, "not a dataset");
    }

    @Test
    void vocabSizeDisagreeing() throws IOException {
        Vocabulary bigger = Fixtures.vocabWithTokens(20);
        bigger.write(dir.resolve("vocab.json"));
        assertOpenFails(train.resolve("meta.json"),
                "vocab size mismatch: meta.json vocab_size 24 but vocab.json size " + bigger.size());
    }

    @Test
    void vocabJsonMissingOrMalformed() throws IOException {
        Path v = dir.resolve("vocab.json");
        Files.writeString(v, "{\"format\": \"lmshards-vocab\"");
        assertOpenFails(v, "malformed vocab.json");
        Files.delete(v);
        assertOpenFails(v, "vocab.json missing");
    }

    @Test
    void missingTrainSplit() throws IOException {
        LocalFiles.deleteRecursively(train);
        assertFails(() -> Dataset.open(dir), train, "missing split");
        assertFails(() -> TokenStore.open(dir, "train"), train, "missing split");
    }

    @Test
    void shardListedUnderTheWrongName() throws IOException {
        Fixtures.editShard(train, 1, s -> new ShardMeta(s.index(), "tokens-1.npy", s.docsFile(), s.numTokens(),
                s.numDocs(), s.firstDoc(), s.firstToken(), s.tokensCrc32c(), s.docsCrc32c()));
        assertOpenFails(train.resolve("meta.json"), "malformed meta.json: shards[1] should have index 1");
    }

    @Test
    void everyCorruptionIsBadInput() throws IOException {
        patch(tokens0, 0, (byte) 0);
        assertThatThrownBy(() -> DatasetVerifier.verify(dir)).isInstanceOf(org.lmshards.core.BadInput.class);
    }

    @Test
    void headerWithOtherKeyOrderAndSpacingIsAccepted() throws IOException {
        long[] t = tokensOf(0);
        String dict = "{\"shape\":(" + t.length + ",),\"fortran_order\":False,\"descr\":\"<u2\"}";
        int total = 10 + dict.length() + 1;
        total = (total + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total + 2 * t.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (total - 10));
        b.put(dict.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        for (long v : t) {
            b.putShort((short) v);
        }
        Files.write(tokens0, b.array());
        try (TokenStore s = TokenStore.open(dir, "train")) {
            assertThat(s.get(0)).isEqualTo((int) t[0]);
        }
        assertOnlyVerifyFails(tokens0, "checksum mismatch"); // different bytes than the writer's
    }

    @Test
    void unknownSplitOfADataset() throws IOException {
        try (Dataset ds = Dataset.open(dir)) {
            assertFails(() -> ds.split("test"), dir.resolve("test"), "missing split");
        }
        assertFails(() -> Dataset.open(tmp.resolve("nowhere")), tmp.resolve("nowhere"), "no such directory");
    }

    @Test
    void splitNameMustMatchItsDirectory() throws IOException {
        Path valid = dir.resolve("valid");
        SplitMeta m = Fixtures.readMeta(valid);
        Fixtures.writeMeta(valid, new SplitMeta(m.format(), m.formatVersion(), "train", m.dtype(), m.vocabSize(),
                m.totalTokens(), m.numDocs(), m.shards(), m.tokenizer(), m.source(), m.settings(), m.rejectedRows(),
                m.createdAt(), m.toolVersion()));
        assertFails(() -> TokenStore.open(dir, "valid"), valid.resolve("meta.json"), "malformed meta.json: split is 'train'");
    }

}
