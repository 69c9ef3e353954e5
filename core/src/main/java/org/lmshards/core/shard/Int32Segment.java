package org.lmshards.core.shard;

import java.nio.IntBuffer;

/** An {@code int32} segment: ids are the stored ints. */
final class Int32Segment implements TokenSegment {
    private final IntBuffer ids;

    Int32Segment(IntBuffer ids) {
        this.ids = ids;
    }

    @Override
    public int get(int i) {
        return ids.get(i);
    }

    @Override
    public void read(int from, int[] dst, int off, int n) {
        ids.get(from, dst, off, n);
    }

    @Override
    public void read(int from, float[] dst, int off, int n) {
        for (int j = 0; j < n; j++) {
            dst[off + j] = ids.get(from + j);
        }
    }
}
