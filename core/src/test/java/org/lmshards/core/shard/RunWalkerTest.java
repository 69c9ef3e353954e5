package org.lmshards.core.shard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RunWalker}: how it cuts reads into pieces, and reads over {@link TokenSegment}s as {@link TokenStore} does. */
class RunWalkerTest {

    /** Starts of runs of 1 to {@code maxLen} tokens, plus the total. */
    private static long[] randomRuns(Random rnd, int runs, int maxLen) {
        long[] start = new long[runs + 1];
        for (int k = 0; k < runs; k++) {
            start[k + 1] = start[k] + 1 + rnd.nextInt(maxLen);
        }
        return start;
    }

    private static int runOf(long[] runStart, long pos) {
        return RunStarts.runOf(runStart, 0, runStart.length - 1, pos);
    }

    @Test
    void cutsAReadAtEveryRunBoundaryAndReturnsTheLastRun() {
        long[] runStart = {0, 3, 4, 10};
        List<String> pieces = new ArrayList<>();
        RunWalker.PieceReader<int[], List<String>> log =
                (run, from, dst, off, n, out) -> out.add(run + ":" + from + "+" + n + "@" + off);
        assertThat(RunWalker.read(runStart, 0, 1, new int[20], 5, 8, log, pieces)).isEqualTo(2);
        assertThat(pieces).containsExactly("0:1+2@5", "1:0+1@7", "2:0+5@8");
        pieces.clear();
        assertThat(RunWalker.read(runStart, 2, 4, new int[20], 0, 6, log, pieces)).isEqualTo(2);
        assertThat(pieces).containsExactly("2:0+6@0");
        pieces.clear();
        // an empty read is one empty piece of the given run
        assertThat(RunWalker.read(runStart, 1, 3, new int[0], 0, 0, log, pieces)).isEqualTo(1);
        assertThat(pieces).containsExactly("1:0+0@0");
    }

    @Test
    void randomReadsOverManyRunsEqualTheReferenceForBothTargets() {
        Random rnd = new Random(22);
        long[] runStart = randomRuns(rnd, 200, 30);
        int size = (int) runStart[200];
        int[] ref = new int[size];
        for (int i = 0; i < size; i++) {
            ref[i] = rnd.nextInt(1 << 24);
        }
        // each piece must stay inside its run; the readers check that and copy from the reference
        RunWalker.PieceReader<int[], long[]> ints = (run, from, dst, off, n, starts) -> {
            assertThat(from + n).isLessThanOrEqualTo(starts[run + 1] - starts[run]);
            for (int j = 0; j < n; j++) {
                dst[off + j] = ref[(int) (starts[run] + from) + j];
            }
        };
        RunWalker.PieceReader<float[], long[]> floats = (run, from, dst, off, n, starts) -> {
            assertThat(from + n).isLessThanOrEqualTo(starts[run + 1] - starts[run]);
            for (int j = 0; j < n; j++) {
                dst[off + j] = ref[(int) (starts[run] + from) + j];
            }
        };
        for (int trial = 0; trial < 2000; trial++) {
            int len = rnd.nextInt(trial % 10 == 0 ? size : 80);
            int pos = rnd.nextInt(size - len + 1);
            int off = rnd.nextInt(3);
            int[] gotInts = new int[off + len];
            float[] gotFloats = new float[off + len];
            int first = runOf(runStart, pos);
            int lastInts = RunWalker.read(runStart, first, pos, gotInts, off, len, ints, runStart);
            int lastFloats = RunWalker.read(runStart, first, pos, gotFloats, off, len, floats, runStart);
            int expectedLast = len == 0 ? first : runOf(runStart, pos + len - 1);
            assertThat(lastInts).isEqualTo(expectedLast);
            assertThat(lastFloats).isEqualTo(expectedLast);
            for (int i = 0; i < len; i++) {
                assertThat(gotInts[off + i]).isEqualTo(ref[pos + i]);
                assertThat(gotFloats[off + i]).isEqualTo((float) ref[pos + i]);
            }
        }
    }

    /** Several segments of one dtype read as one stream, as a split's shards and mappings are. */
    @Test
    void readsAcrossSegmentsOfBothDtypesIntoBothTargetsEqualAPlainRead() {
        Random rnd = new Random(23);
        for (TokenDtype dtype : TokenDtype.values()) {
            long[] segStart = randomRuns(rnd, 40, 500);
            int size = (int) segStart[40];
            int[] ref = TokenSegmentTest.randomIds(rnd, dtype, size);
            TokenSegment[] segs = new TokenSegment[40];
            for (int k = 0; k < 40; k++) {
                int[] ids = Arrays.copyOfRange(ref, (int) segStart[k], (int) segStart[k + 1]);
                segs[k] = TokenSegment.over(dtype, TokenSegmentTest.encode(dtype, ids));
            }
            RunWalker.PieceReader<int[], TokenSegment[]> ints = (k, from, dst, off, n, s) -> s[k].read((int) from, dst, off, n);
            RunWalker.PieceReader<float[], TokenSegment[]> floats = (k, from, dst, off, n, s) -> s[k].read((int) from, dst, off, n);
            for (int trial = 0; trial < 500; trial++) {
                int len = trial == 0 ? size : 1 + rnd.nextInt(trial % 5 == 0 ? size : 1500);
                len = Math.min(len, size);
                int pos = rnd.nextInt(size - len + 1);
                int[] gotInts = new int[len];
                float[] gotFloats = new float[len];
                RunWalker.read(segStart, runOf(segStart, pos), pos, gotInts, 0, len, ints, segs);
                RunWalker.read(segStart, runOf(segStart, pos), pos, gotFloats, 0, len, floats, segs);
                int[] plain = Arrays.copyOfRange(ref, pos, pos + len);
                assertThat(gotInts).as("%s int read(%d, %d)", dtype, pos, len).isEqualTo(plain);
                for (int i = 0; i < len; i++) {
                    if (gotFloats[i] != plain[i]) {
                        throw new AssertionError(dtype + " float read(" + pos + ", " + len + ") token " + i + ": "
                                + gotFloats[i] + " != " + plain[i]);
                    }
                }
            }
        }
    }
}
