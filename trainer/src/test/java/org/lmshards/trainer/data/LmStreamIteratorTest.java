package org.lmshards.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Batch contents and order of {@link LmStreamIterator} against a materialized reference (in-memory sources). */
class LmStreamIteratorTest {

    @Test
    void randomCorporaMatchTheNaiveReference() {
        Random rnd = new Random(42);
        int checked = 0;
        for (int trial = 0; trial < 60; trial++) {
            ArraySource src = ArraySource.random(rnd, 1 + rnd.nextInt(40), 1 + rnd.nextInt(120), 500, false);
            int bs = 1 + rnd.nextInt(12);
            int sl = 1 + rnd.nextInt(30);
            boolean shuffle = rnd.nextBoolean();
            boolean dropLast = rnd.nextInt(4) == 0;
            long seed = rnd.nextLong();
            List<int[][][]> e0 = NaiveReference.batches(NaiveReference.stream(src, shuffle, seed, 0), bs, sl, dropLast);
            if (e0.isEmpty()) {
                assertThatThrownBy(() -> build(src, bs, sl, shuffle, seed, dropLast, 0))
                        .isInstanceOf(SplitTooSmallException.class);
                continue;
            }
            List<int[][][]> e1 = NaiveReference.batches(NaiveReference.stream(src, shuffle, seed, 1), bs, sl, dropLast);
            try (LmStreamIterator it = build(src, bs, sl, shuffle, seed, dropLast, 0)) {
                assertThat(it.batchesPerEpoch()).isEqualTo(e0.size());
                List<List<int[][][]>> got = Batches.epochs(it, 2);
                Batches.assertSame(got.get(0), e0);
                Batches.assertSame(got.get(1), e1);
                assertThat(it.epoch()).isEqualTo(1);
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(40);
    }

    @Test
    void geometryFollowsFastaiFormulas() {
        // n = 1001 tokens, bs = 7: corpus = floor(1000/7)*7 = 994, bl = 142, sl = 30: 5 batches, last 22 long
        BatchGeometry g = BatchGeometry.of("x", 1001, 7, 30, false);
        assertThat(g.rowLength()).isEqualTo(142);
        assertThat(g.batches()).isEqualTo(5);
        assertThat(g.lastLength()).isEqualTo(22);
        assertThat(g.length(3)).isEqualTo(30);
        assertThat(g.length(4)).isEqualTo(22);
        assertThat(g.rowStart(2, 3)).isEqualTo(3 * 142 + 2 * 30);
        BatchGeometry dropped = BatchGeometry.of("x", 1001, 7, 30, true);
        assertThat(dropped.batches()).isEqualTo(4);
        assertThat(dropped.lastLength()).isEqualTo(30);
        // bl a multiple of sl: nothing to drop
        assertThat(BatchGeometry.of("x", 121, 4, 10, true).batches()).isEqualTo(3);
        assertThat(BatchGeometry.of("x", 121, 4, 10, false).lastLength()).isEqualTo(10);
    }

    @Test
    void shortLastBatchHasItsOwnShape() {
        ArraySource src = ArraySource.random(new Random(1), 10, 50, 100, false);
        int n = src.tokens.length;
        int bs = 3;
        int bl = (n - 1) / bs;
        int sl = bl % 7 == 0 ? 6 : 7;
        try (LmStreamIterator it = build(src, bs, sl, false, 0, false, 0)) {
            long batches = it.batchesPerEpoch();
            int last = (int) (bl - (batches - 1) * sl);
            assertThat(last).isLessThan(sl);
            for (long i = 0; i < batches; i++) {
                DataSet ds = it.next();
                long len = i == batches - 1 ? last : sl;
                assertThat(ds.getFeatures().shape()).containsExactly(bs, 1, len);
                assertThat(ds.getLabels().shape()).containsExactly(bs, 1, len);
            }
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class).hasMessageContaining("reset()");
        }
    }

    @Test
    void rowsContinueFromBatchToBatchAndCoverTheRowsSlice() {
        ArraySource src = ArraySource.random(new Random(2), 30, 80, 0, true);
        int bs = 5;
        int sl = 9;
        for (boolean shuffle : new boolean[] {false, true}) {
            try (LmStreamIterator it = build(src, bs, sl, shuffle, 11, false, 0)) {
                it.reset(); // epoch 1
                int[] stream = NaiveReference.stream(src, shuffle, 11, 1);
                long bl = it.geometry().rowLength();
                List<int[][][]> batches = Batches.drain(it);
                for (int j = 0; j < bs; j++) {
                    int[] row = concatRow(batches, j, 0);
                    int[] labels = concatRow(batches, j, 1);
                    // continuity: batch i+1's row j starts where batch i's row j ended
                    assertThat(row).containsExactly(Arrays.copyOfRange(stream, (int) (j * bl), (int) ((j + 1) * bl)));
                    assertThat(labels).containsExactly(Arrays.copyOfRange(stream, (int) (j * bl + 1), (int) ((j + 1) * bl + 1)));
                    for (int i = 0; i + 1 < batches.size(); i++) {
                        int[] prevLabels = batches.get(i)[1][j];
                        assertThat(batches.get(i + 1)[0][j][0]).isEqualTo(prevLabels[prevLabels.length - 1]);
                    }
                }
            }
        }
    }

    @Test
    void everyTokenOfTheEpochStreamIsAnInputExactlyOnce() {
        ArraySource src = ArraySource.random(new Random(3), 40, 60, 0, true); // token i has id i
        int n = src.tokens.length;
        int bs = 6;
        for (int epoch = 0; epoch < 3; epoch++) {
            try (LmStreamIterator it = build(src, bs, 13, true, 5, false, 0)) {
                it.seek(epoch, 0);
                int[] seen = new int[n];
                for (int[][][] b : Batches.drain(it)) {
                    for (int[] row : b[0]) {
                        for (int id : row) {
                            seen[id]++;
                        }
                    }
                }
                int corpus = (n - 1) / bs * bs;
                int[] stream = NaiveReference.stream(src, true, 5, epoch);
                for (int p = 0; p < n; p++) {
                    // the first `corpus` tokens of the epoch's stream once each, the tail never
                    assertThat(seen[stream[p]]).as("token at stream position %d", p).isEqualTo(p < corpus ? 1 : 0);
                }
            }
        }
    }

    @Test
    void permutationDiffersPerEpochAndRepeatsForTheSameSeed() {
        ArraySource src = ArraySource.random(new Random(4), 50, 40, 0, true);
        List<List<int[][][]>> a;
        List<List<int[][][]>> b;
        List<List<int[][][]>> other;
        try (LmStreamIterator it = build(src, 4, 16, true, 99, false, 0)) {
            a = Batches.epochs(it, 3);
        }
        try (LmStreamIterator it = build(src, 4, 16, true, 99, false, 0)) {
            b = Batches.epochs(it, 3);
        }
        try (LmStreamIterator it = build(src, 4, 16, true, 100, false, 0)) {
            other = Batches.epochs(it, 1);
        }
        for (int e = 0; e < 3; e++) {
            Batches.assertSame(b.get(e), a.get(e));
        }
        assertThat(firstInputs(a.get(0))).isNotEqualTo(firstInputs(a.get(1)));
        assertThat(firstInputs(a.get(1))).isNotEqualTo(firstInputs(a.get(2)));
        assertThat(firstInputs(other.get(0))).isNotEqualTo(firstInputs(a.get(0)));
        // the permutation itself: a different order of the same documents
        int[] p0 = new int[50];
        int[] p1 = new int[50];
        DocumentShuffle.permutation(99, 0, p0, 50);
        DocumentShuffle.permutation(99, 1, p1, 50);
        assertThat(p0).isNotEqualTo(p1);
        assertThat(sorted(p0)).isEqualTo(sorted(p1)).isEqualTo(identity(50));
    }

    @Test
    void unshuffledSplitsKeepStoredOrderEveryEpoch() {
        ArraySource src = ArraySource.random(new Random(5), 20, 40, 0, true);
        List<int[][][]> expected = NaiveReference.batches(src.tokens, 3, 10, false);
        try (LmStreamIterator it = LmStreamIterator.builder(src, 1000, false).batchSize(3).seqLen(10).seed(7).build()) {
            assertThat(it.shuffled()).isFalse();
            for (List<int[][][]> epoch : Batches.epochs(it, 3)) {
                Batches.assertSame(epoch, expected);
            }
        }
        try (LmStreamIterator it = LmStreamIterator.builder(src, 1000, true).batchSize(3).seqLen(10).build()) {
            assertThat(it.shuffled()).as("train shuffles by default").isTrue();
        }
    }

    @Test
    void seekGivesTheBatchesOfAnUninterruptedRun() {
        ArraySource src = ArraySource.random(new Random(6), 30, 50, 0, true);
        List<List<int[][][]>> run;
        try (LmStreamIterator it = build(src, 4, 11, true, 3, false, 0)) {
            run = Batches.epochs(it, 4);
        }
        try (LmStreamIterator it = build(src, 4, 11, true, 3, false, 0)) {
            for (int[] pos : new int[][] {{2, 5}, {0, 0}, {3, 1}, {1, 7}, {2, 0}}) {
                it.seek(pos[0], pos[1]);
                assertThat(it.epoch()).isEqualTo(pos[0]);
                assertThat(it.batchIndex()).isEqualTo(pos[1]);
                List<int[][][]> rest = Batches.drain(it);
                List<int[][][]> expected = run.get(pos[0]);
                Batches.assertSame(rest, expected.subList(pos[1], expected.size()));
            }
            it.seek(1, it.batchesPerEpoch());
            assertThat(it.hasNext()).isFalse();
            it.reset();
            assertThat(it.epoch()).isEqualTo(2);
            Batches.assertSame(Batches.drain(it), run.get(2));
            assertThatThrownBy(() -> it.seek(0, it.batchesPerEpoch() + 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void dropLastLeavesOutTheShortBatchOnly() {
        ArraySource src = ArraySource.random(new Random(7), 10, 100, 300, false);
        int n = src.tokens.length;
        int bs = 4;
        int bl = (n - 1) / bs;
        int sl = bl % 9 == 0 ? 8 : 9;
        List<int[][][]> all;
        try (LmStreamIterator it = build(src, bs, sl, false, 0, false, 0)) {
            all = Batches.drain(it);
        }
        try (LmStreamIterator it = build(src, bs, sl, false, 0, true, 0)) {
            List<int[][][]> kept = Batches.drain(it);
            assertThat(kept).hasSize(bl / sl).hasSize(all.size() - 1);
            Batches.assertSame(kept, all.subList(0, kept.size()));
            assertThat(kept).allSatisfy(b -> assertThat(b[0][0]).hasSize(sl));
        }
    }

    @Test
    void splitTooSmallForTheBatchSizeFailsClearly() {
        ArraySource src = new ArraySource("tiny-split", new int[] {2, 5, 6, 7, 8}, new long[] {0, 5});
        assertThatThrownBy(() -> build(src, 5, 10, false, 0, false, 0))
                .isInstanceOf(SplitTooSmallException.class)
                .hasMessageContaining("tiny-split").hasMessageContaining("5 tokens").hasMessageContaining("batch size 5");
        assertThatThrownBy(() -> build(src, 2, 10, false, 0, true, 0))
                .isInstanceOf(SplitTooSmallException.class).hasMessageContaining("drop-last");
        try (LmStreamIterator it = build(src, 4, 10, false, 0, false, 0)) { // 4 rows of 1 token
            int[][][] b = Batches.copy(it.next());
            assertThat(b[0]).isDeepEqualTo(new int[][] {{2}, {5}, {6}, {7}});
            assertThat(b[1]).isDeepEqualTo(new int[][] {{5}, {6}, {7}, {8}});
        }
    }

    @Test
    void preProcessorSeesEveryBatch() {
        ArraySource src = ArraySource.random(new Random(8), 10, 60, 50, false);
        try (LmStreamIterator it = build(src, 2, 8, false, 0, false, 0)) {
            List<int[][][]> plain = Batches.drain(it);
            it.reset();
            it.setPreProcessor(ds -> ds.getFeatures().addi(1000));
            assertThat(it.getPreProcessor()).isNotNull();
            List<int[][][]> pre = Batches.drain(it);
            assertThat(pre).hasSameSizeAs(plain);
            for (int i = 0; i < pre.size(); i++) {
                assertThat(pre.get(i)[0][1][0]).isEqualTo(plain.get(i)[0][1][0] + 1000);
                assertThat(pre.get(i)[1]).isDeepEqualTo(plain.get(i)[1]);
            }
        }
    }

    @SuppressWarnings("try") // close() inside the try block is what the test checks
    @Test
    void reportsDataSetIteratorProperties() {
        ArraySource src = ArraySource.random(new Random(9), 10, 60, 50, false);
        try (LmStreamIterator it = LmStreamIterator.builder(src, 1234, false).batchSize(3).seqLen(5).build()) {
            assertThat(it.totalOutcomes()).isEqualTo(1234);
            assertThat(it.batch()).isEqualTo(3);
            assertThat(it.inputColumns()).isEqualTo(1);
            assertThat(it.resetSupported()).isTrue();
            assertThat(it.asyncSupported()).isFalse();
            assertThat(it.epoch()).isZero();
            assertThat(it.batchIndex()).isZero();
            it.next();
            assertThat(it.batchIndex()).isEqualTo(1);
            it.close();
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void shuffledStreamReadsAreRightWhateverTheDocumentHint() {
        Random rnd = new Random(10);
        ArraySource src = ArraySource.random(rnd, 60, 30, 0, true);
        EpochStream stream = new EpochStream(src, true, 77);
        stream.prepare(3);
        int[] expected = NaiveReference.stream(src, true, 77, 3);
        int n = expected.length;
        for (int trial = 0; trial < 2000; trial++) {
            int len = rnd.nextInt(70);
            int pos = rnd.nextInt(n - len + 1);
            int[] got = new int[len + 2];
            int hint = rnd.nextInt(4) == 0 ? -1 : rnd.nextInt(80) - 5; // invalid, wrong or right
            int next = stream.read(pos, got, 1, len, hint);
            assertThat(Arrays.copyOfRange(got, 1, len + 1)).isEqualTo(Arrays.copyOfRange(expected, pos, pos + len));
            assertThat(got[0]).isZero();
            assertThat(got[len + 1]).isZero();
            assertThat(next).isBetween(0, 59);
        }
        assertThatThrownBy(() -> stream.read(n - 3, new int[5], 0, 4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void steadyStateIterationAllocatesNoHeapPerBatch() {
        ArraySource src = ArraySource.random(new Random(11), 200, 500, 1000, false);
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (boolean shuffle : new boolean[] {false, true}) {
            try (LmStreamIterator it = build(src, 16, 20, shuffle, 1, false, 0)) {
                Batches.epochs(it, 2); // both batch shapes created, code paths warmed up
                it.reset();
                long before = mx.getCurrentThreadAllocatedBytes();
                long batches = 0;
                for (int e = 0; e < 3; e++) {
                    while (it.hasNext()) {
                        it.next();
                        batches++;
                    }
                    it.seek(it.epoch(), 0); // same epoch again: no new permutation
                }
                long perBatch = (mx.getCurrentThreadAllocatedBytes() - before) / batches;
                assertThat(batches).isGreaterThan(300);
                assertThat(perBatch).as("heap bytes allocated per batch (shuffle %s)", shuffle).isLessThan(64);
            }
        }
    }

    @Test
    void memoryProbeReadsHeapAndAnonymousRss() {
        MemoryProbe m = MemoryProbe.sample();
        assertThat(m.heapAfterGc()).isPositive();
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status"))) {
            assertThat(m.rssAnon()).isGreaterThan(m.heapAfterGc() / 2);
            assertThat(m.rssFile()).isPositive();
        }
    }

    static LmStreamIterator build(TokenSource src, int bs, int sl, boolean shuffle, long seed, boolean dropLast, int workers) {
        return LmStreamIterator.builder(src, 1 << 20, false).batchSize(bs).seqLen(sl).shuffle(shuffle).seed(seed)
                .dropLast(dropLast).workers(workers).build();
    }

    private static int[] concatRow(List<int[][][]> batches, int row, int which) {
        List<Integer> out = new ArrayList<>();
        for (int[][][] b : batches) {
            for (int v : b[which][row]) {
                out.add(v);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] firstInputs(List<int[][][]> epoch) {
        return epoch.get(0)[0][0];
    }

    private static int[] sorted(int[] a) {
        int[] c = a.clone();
        Arrays.sort(c);
        return c;
    }

    private static int[] identity(int n) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = i;
        }
        return c;
    }
}
