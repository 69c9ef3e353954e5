package org.lmshards.core.shard;

import java.nio.ShortBuffer;

/** A {@code uint16} segment: ids are the unsigned values of the stored shorts. */
final class Uint16Segment implements TokenSegment {
    private static final int SCRATCH = 8192;
    // The int read goes through a bulk copy, much faster than a get per token; one scratch per
    // thread keeps concurrent reads safe without allocating.
    private static final ThreadLocal<short[]> SHORTS = ThreadLocal.withInitial(() -> new short[SCRATCH]);

    private final ShortBuffer ids;

    Uint16Segment(ShortBuffer ids) {
        this.ids = ids;
    }

    @Override
    public int get(int i) {
        return Short.toUnsignedInt(ids.get(i));
    }

    @Override
    public void read(int from, int[] dst, int off, int n) {
        short[] scratch = SHORTS.get();
        for (int m = 0; m < n; ) {
            int c = Math.min(n - m, scratch.length);
            ids.get(from + m, scratch, 0, c);
            int base = off + m;
            for (int j = 0; j < c; j++) {
                dst[base + j] = scratch[j] & 0xffff;
            }
            m += c;
        }
    }

    @Override
    public void read(int from, float[] dst, int off, int n) {
        // Straight from the mapping: a scratch pass would cost more than it saves for row-sized reads.
        for (int j = 0; j < n; j++) {
            dst[off + j] = Short.toUnsignedInt(ids.get(from + j));
        }
    }
}
