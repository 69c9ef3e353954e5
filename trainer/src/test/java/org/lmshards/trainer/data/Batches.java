package org.lmshards.trainer.data;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Test helpers turning the iterator's reused arrays into plain int arrays. */
final class Batches {
    private Batches() {
    }

    /** {@code [x, y]} of one batch as {@code int[bs][len]}, checking the {@code [bs, 1, len]} shapes. */
    static int[][][] copy(DataSet ds) {
        return new int[][][] {ids(ds.getFeatures()), ids(ds.getLabels())};
    }

    static int[][] ids(INDArray a) {
        assertThat(a.rank()).isEqualTo(3);
        assertThat(a.size(1)).isEqualTo(1);
        int bs = (int) a.size(0);
        int len = (int) a.size(2);
        float[] flat = a.dup('c').data().asFloat();
        assertThat(flat).hasSize(bs * len);
        int[][] out = new int[bs][len];
        for (int j = 0; j < bs; j++) {
            for (int t = 0; t < len; t++) {
                float v = flat[j * len + t];
                out[j][t] = (int) v;
                assertThat((float) out[j][t]).as("integral id").isEqualTo(v);
            }
        }
        return out;
    }

    /** The rest of the current epoch. */
    static List<int[][][]> drain(LmStreamIterator it) {
        List<int[][][]> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(copy(it.next()));
        }
        return out;
    }

    /** {@code epochs} epochs from the current position, calling reset() between them. */
    static List<List<int[][][]>> epochs(LmStreamIterator it, int epochs) {
        List<List<int[][][]>> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            if (e > 0) {
                it.reset();
            }
            out.add(drain(it));
        }
        return out;
    }

    static void assertSame(List<int[][][]> actual, List<int[][][]> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)[0]).as("inputs of batch %d", i).isDeepEqualTo(expected.get(i)[0]);
            assertThat(actual.get(i)[1]).as("labels of batch %d", i).isDeepEqualTo(expected.get(i)[1]);
        }
    }
}
