package org.lmshards.core.shard;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TokenStore#read(long, float[], int, int)} against the int read and the written ids. */
class TokenStoreFloatReadTest {
    @TempDir
    Path tmp;

    /** The whole split and random ranges (many crossing shard and mapping boundaries) read both ways. */
    private static void assertFloatReadMatches(TokenStore t, int[] ref, long seed) {
        float[] all = new float[ref.length];
        t.read(0, all, 0, ref.length);
        for (int i = 0; i < ref.length; i++) {
            if (all[i] != ref[i]) {
                throw new AssertionError("token " + i + ": " + all[i] + " != " + ref[i]);
            }
        }
        Random r = new Random(seed);
        for (int k = 0; k < 500; k++) {
            int from = r.nextInt(ref.length);
            int len = r.nextInt(Math.min(ref.length - from, 3000) + 1);
            int off = r.nextInt(5);
            int[] ints = new int[off + len];
            float[] floats = new float[off + len + 3];
            floats[off + len] = -7f;
            if (off > 0) {
                floats[off - 1] = -5f;
            }
            t.read(from, ints, off, len);
            t.read(from, floats, off, len);
            for (int i = 0; i < len; i++) {
                if (floats[off + i] != ints[off + i] || ints[off + i] != ref[from + i]) {
                    throw new AssertionError("read(" + from + ", " + len + ") differs at " + i + ": float "
                            + floats[off + i] + ", int " + ints[off + i] + ", written " + ref[from + i]);
                }
            }
            assertThat(floats[off + len]).isEqualTo(-7f);
            if (off > 0) {
                assertThat(floats[off - 1]).isEqualTo(-5f);
            }
        }
    }

    @Test
    void uint16IdsAbove32767ReadAsUnsignedFloats() throws IOException {
        Vocabulary vocab = Fixtures.uint16MaxVocab();
        List<int[]> docs = Fixtures.randomDocs(11, 50, 400, vocab.size());
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 1_000_000, docs, null);
        try (TokenStore t = TokenStore.open(dir, "train")) {
            assertThat(t.dtype()).isEqualTo(TokenDtype.UINT16);
            assertFloatReadMatches(t, Fixtures.concat(docs), 11);
            float[] one = new float[1];
            t.read(t.docStart(25), one, 0, 1);
            assertThat(one[0]).isEqualTo(65_535f);
        }
    }

    @Test
    void int32IdsReadAsFloats() throws IOException {
        Vocabulary vocab = Fixtures.int32Vocab();
        List<int[]> docs = Fixtures.randomDocs(12, 50, 400, vocab.size());
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 1_000_000, docs, null);
        try (TokenStore t = TokenStore.open(dir, "train")) {
            assertThat(t.dtype()).isEqualTo(TokenDtype.INT32);
            assertFloatReadMatches(t, Fixtures.concat(docs), 12);
            float[] one = new float[1];
            t.read(t.docStart(25), one, 0, 1);
            assertThat(one[0]).isEqualTo(65_543f);
        }
    }

    @Test
    void readsAcrossShardAndMappingBoundariesForBothDtypes() throws IOException {
        for (Vocabulary vocab : List.of(Fixtures.uint16MaxVocab(), Fixtures.int32Vocab())) {
            List<int[]> docs = Fixtures.randomDocs(13, 80, 200, vocab.size());
            Path dir = tmp.resolve("ds" + vocab.size());
            Fixtures.write(dir, vocab, 1000, docs, null);
            try (TokenStore t = TokenStore.open(dir, "train", 100)) { // at most 100 bytes per mapping
                assertThat(t.numShards()).isGreaterThan(5);
                assertThat(t.numMappings()).isGreaterThan(t.numShards() * 10);
                assertFloatReadMatches(t, Fixtures.concat(docs), 13);
            }
            try (TokenStore t = TokenStore.open(dir, "train")) { // one mapping per shard
                assertFloatReadMatches(t, Fixtures.concat(docs), 14);
            }
        }
    }

    @Test
    void rejectsRangesOutsideTheSplitOrTheArrayLikeTheIntRead() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(300);
        List<int[]> docs = Fixtures.randomDocs(15, 10, 50, vocab.size());
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 1_000_000, docs, null);
        try (TokenStore t = TokenStore.open(dir, "train")) {
            long n = t.size();
            float[] dst = new float[10];
            assertThatThrownBy(() -> t.read(n - 3, dst, 0, 4)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> t.read(-1, dst, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> t.read(0, dst, 8, 3)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> t.read(0, new int[10], 8, 3)).isInstanceOf(IndexOutOfBoundsException.class);
            t.read(n, dst, 10, 0); // empty read at the end: a no-op
            t.read(n - 10, dst, 0, 10);
            assertThat(dst[9]).isEqualTo((float) t.get(n - 1));
        }
    }

    @Test
    void concurrentFloatReadersSeeTheSameTokens() throws Exception {
        Fixtures.assertConcurrentReadsMatch(tmp.resolve("ds"), 16, t -> new Fixtures.WindowReader() {
            private final float[] dst = new float[700];

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
