package org.lmshards.core.shard;

import java.nio.ByteBuffer;

/**
 * One contiguous mapped run of token ids in one dtype: the only code that knows how a dtype's
 * bytes become ids. {@link TokenStore} picks the implementation once, when it opens a split, so
 * that a read dispatches once per segment and its copy loop stays free of calls per token.
 */
sealed interface TokenSegment permits Uint16Segment, Int32Segment {

    /** The segment over {@code chunk} (little-endian, as mapped by {@link MappedArray}). */
    static TokenSegment over(TokenDtype dtype, ByteBuffer chunk) {
        return switch (dtype) {
            case UINT16 -> new Uint16Segment(chunk.asShortBuffer());
            case INT32 -> new Int32Segment(chunk.asIntBuffer());
        };
    }

    /** The id at {@code i}. */
    int get(int i);

    /** Copies ids {@code [from, from+n)} into {@code dst[off, off+n)}. */
    void read(int from, int[] dst, int off, int n);

    /** As {@link #read(int, int[], int, int)}, widened to {@code float} (exact: ids are below 2^24). */
    void read(int from, float[] dst, int off, int n);
}
