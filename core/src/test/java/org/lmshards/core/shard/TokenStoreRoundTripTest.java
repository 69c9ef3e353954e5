package org.lmshards.core.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenStoreRoundTripTest {
    @TempDir
    Path tmp;

    /** Checks every token, every document boundary and random bulk ranges against the in-memory reference. */
    private static void assertMatches(TokenStore t, List<int[]> docs, long seed) {
        int[] ref = Fixtures.concat(docs);
        assertThat(t.size()).isEqualTo(ref.length);
        assertThat(t.numDocs()).isEqualTo(docs.size());
        for (int i = 0; i < ref.length; i++) {
            if (t.get(i) != ref[i]) {
                throw new AssertionError("token " + i + ": " + t.get(i) + " != " + ref[i]);
            }
        }
        int[] all = new int[ref.length];
        t.read(0, all, 0, ref.length);
        assertThat(all).isEqualTo(ref);
        long start = 0;
        for (int d = 0; d < docs.size(); d++) {
            assertThat(t.docStart(d)).as("start of doc %d", d).isEqualTo(start);
            start += docs.get(d).length;
            assertThat(t.docEnd(d)).as("end of doc %d", d).isEqualTo(start);
            assertThat(t.docOf(t.docStart(d))).isEqualTo(d);
            assertThat(t.docOf(t.docEnd(d) - 1)).isEqualTo(d);
        }
        Random r = new Random(seed);
        for (int k = 0; k < 500; k++) {
            int from = r.nextInt(ref.length);
            int len = r.nextInt(Math.min(ref.length - from, 3000) + 1);
            int off = r.nextInt(5);
            int[] dst = new int[off + len + 3];
            dst[off + len] = -7;
            t.read(from, dst, off, len);
            for (int i = 0; i < len; i++) {
                if (dst[off + i] != ref[from + i]) {
                    throw new AssertionError("read(" + from + ", " + len + ") differs at " + i);
                }
            }
            assertThat(dst[off + len]).isEqualTo(-7);
        }
    }

    @Test
    void uint16RoundTripReadsIdsAbove32767AsUnsigned() throws IOException {
        Vocabulary vocab = Fixtures.uint16MaxVocab();
        List<int[]> docs = Fixtures.randomDocs(1, 50, 400, vocab.size());
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 1_000_000, docs, null);
        try (TokenStore t = TokenStore.open(dir, "train")) {
            assertThat(t.dtype()).isEqualTo(TokenDtype.UINT16);
            assertThat(t.vocabSize()).isEqualTo(65_536);
            assertThat(t.numShards()).isEqualTo(1);
            assertThat(t.meta().dtype()).isEqualTo("uint16");
            assertMatches(t, docs, 1);
            assertThat(t.get(t.docStart(25))).isEqualTo(65_535);
        }
        assertThat(DatasetVerifier.verify(dir).shards()).isEqualTo(1);
    }

    @Test
    void int32RoundTripForAVocabularyPastUint16() throws IOException {
        Vocabulary vocab = Fixtures.int32Vocab();
        List<int[]> docs = Fixtures.randomDocs(2, 50, 400, vocab.size());
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 1_000_000, docs, null);
        try (TokenStore t = TokenStore.open(dir, "train")) {
            assertThat(t.dtype()).isEqualTo(TokenDtype.INT32);
            assertThat(t.meta().dtype()).isEqualTo("int32");
            assertMatches(t, docs, 2);
            assertThat(t.get(t.docStart(25))).isEqualTo(65_543);
        }
        try (Dataset ds = Dataset.open(dir)) {
            assertThat(ds.vocab()).isEqualTo(vocab);
        }
        DatasetVerifier.verify(dir);
    }

    @Test
    void splitSpanningManyShardsReadsAcrossBoundaries() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(300);
        List<int[]> train = Fixtures.randomDocs(3, 300, 120, vocab.size());
        List<int[]> valid = Fixtures.randomDocs(4, 20, 50, vocab.size());
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 1000, train, valid);
        try (Dataset ds = Dataset.open(dir)) {
            assertThat(ds.splits()).containsExactly("train", "valid");
            TokenStore t = ds.split("train");
            assertThat(t.numShards()).isGreaterThan(10);
            SplitMeta m = t.meta();
            long docs = 0;
            for (int s = 0; s < m.shards().size(); s++) {
                ShardMeta sm = m.shards().get(s);
                // a shard closes at the first document boundary at or past shard_tokens
                if (s < m.shards().size() - 1) {
                    assertThat(sm.numTokens()).isGreaterThanOrEqualTo(1000);
                }
                int lastDoc = (int) (docs + sm.numDocs() - 1);
                assertThat(sm.numTokens() - train.get(lastDoc).length).isLessThan(1000);
                docs += sm.numDocs();
            }
            assertMatches(t, train, 3);
            assertMatches(ds.split("valid"), valid, 4);
        }
        VerifyReport report = DatasetVerifier.verify(dir);
        assertThat(report.docsPerSplit()).containsEntry("train", 300L).containsEntry("valid", 20L);
        assertThat(report.tokensPerSplit().get("train")).isEqualTo(Fixtures.concat(train).length);
        assertThat(report.summary()).startsWith("ok: 2 splits (train ");
    }

    @Test
    void shardsLargerThanOneMappingAreMappedInPieces() throws IOException {
        for (Vocabulary vocab : List.of(Fixtures.vocabWithTokens(300), Fixtures.int32Vocab())) {
            List<int[]> docs = Fixtures.randomDocs(5, 40, 200, vocab.size());
            Path dir = tmp.resolve("ds" + vocab.size());
            Fixtures.write(dir, vocab, 2000, docs, null);
            try (TokenStore t = TokenStore.open(dir, "train", 100)) { // at most 100 bytes per mapping
                assertThat(t.numMappings()).isGreaterThan(t.numShards() * 10);
                assertMatches(t, docs, 5);
            }
            DatasetVerifier.verify(dir, 64);
        }
    }

    @Test
    void oneLongDocumentMakesOneLargeShard() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(10);
        List<int[]> docs = new ArrayList<>();
        docs.add(new int[] {1, 2});
        docs.add(new int[5000]);
        docs.add(new int[] {3});
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 10, docs, null);
        try (TokenStore t = TokenStore.open(dir, "train")) {
            assertThat(t.meta().shards()).extracting(ShardMeta::numTokens).containsExactly(5002L, 1L);
            assertMatches(t, docs, 6);
        }
    }

    @Test
    void writerRejectsBadDocuments() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(10);
        try (DatasetWriter w = DatasetWriter.create(tmp.resolve("ds"), vocab, 10)) {
            SplitWriter s = w.split("train");
            assertThatThrownBy(() -> s.addDocument(new int[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("empty document");
            assertThatThrownBy(() -> s.addDocument(new int[] {1, vocab.size()}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
            assertThatThrownBy(() -> s.addDocument(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.split("train")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> w.split("Bad")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.split("rejects")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(tmp.resolve("ds")).doesNotExist();
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty(); // the staging directory is gone
        }
    }

    @Test
    void emptyValidSplitHasNoShards() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(10);
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 10, List.of(new int[] {4, 5}), List.of());
        try (TokenStore t = TokenStore.open(dir, "valid")) {
            assertThat(t.size()).isZero();
            assertThat(t.numDocs()).isZero();
            t.read(0, new int[0], 0, 0);
        }
        DatasetVerifier.verify(dir);
    }

    @Test
    void concurrentReadersSeeTheSameTokens() throws Exception {
        Fixtures.assertConcurrentReadsMatch(tmp.resolve("ds"), 9, t -> new Fixtures.WindowReader() {
            private final int[] dst = new int[700];

            @Override
            public void read(long from) {
                t.read(from, dst, 0, dst.length);
            }

            @Override
            public double token(int i) {
                return dst[i];
            }
        });
    }
}
