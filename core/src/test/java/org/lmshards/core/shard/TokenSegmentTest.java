package org.lmshards.core.shard;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TokenSegment} of each dtype, both targets, against the ids it was built from. */
class TokenSegmentTest {

    /** A little-endian buffer holding {@code ids} as {@code dtype}, as a shard's mapping does. */
    static ByteBuffer encode(TokenDtype dtype, int[] ids) {
        ByteBuffer b = ByteBuffer.allocate(ids.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) {
            if (dtype == TokenDtype.UINT16) {
                b.putShort((short) id);
            } else {
                b.putInt(id);
            }
        }
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Ids spanning the dtype's range: {@code uint16} up to 65 535, {@code int32} past it (below 2^24). */
    static int[] randomIds(Random rnd, TokenDtype dtype, int n) {
        int bound = dtype == TokenDtype.UINT16 ? 65_536 : 1 << 24;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(bound);
        }
        ids[0] = bound - 1;
        return ids;
    }

    @Test
    void overPicksTheImplementationOfTheDtype() {
        assertThat(TokenSegment.over(TokenDtype.UINT16, encode(TokenDtype.UINT16, new int[] {1})))
                .isInstanceOf(Uint16Segment.class);
        assertThat(TokenSegment.over(TokenDtype.INT32, encode(TokenDtype.INT32, new int[] {1})))
                .isInstanceOf(Int32Segment.class);
    }

    @Test
    void uint16IdsAbove32767AreUnsignedInEveryRead() {
        TokenSegment seg = TokenSegment.over(TokenDtype.UINT16, encode(TokenDtype.UINT16, new int[] {65_535, 32_768, 7}));
        int[] ints = new int[3];
        float[] floats = new float[3];
        seg.read(0, ints, 0, 3);
        seg.read(0, floats, 0, 3);
        assertThat(ints).containsExactly(65_535, 32_768, 7);
        assertThat(floats).containsExactly(65_535f, 32_768f, 7f);
        assertThat(seg.get(1)).isEqualTo(32_768);
    }

    @Test
    void everyRangeOfBothDtypesReadsTheStoredIdsIntoBothTargets() {
        Random rnd = new Random(21);
        for (TokenDtype dtype : TokenDtype.values()) {
            // longer than the uint16 int read's scratch (8 192), so that read goes round several times
            int[] ref = randomIds(rnd, dtype, 20_000);
            TokenSegment seg = TokenSegment.over(dtype, encode(dtype, ref));
            for (int trial = 0; trial < 300; trial++) {
                int len = trial < 5 ? ref.length - trial : rnd.nextInt(trial % 3 == 0 ? 20_000 : 100);
                int from = rnd.nextInt(ref.length - len + 1);
                int off = rnd.nextInt(3);
                int[] ints = new int[off + len + 1];
                float[] floats = new float[off + len + 1];
                ints[off + len] = -1;
                floats[off + len] = -1f;
                seg.read(from, ints, off, len);
                seg.read(from, floats, off, len);
                for (int i = 0; i < len; i++) {
                    if (ints[off + i] != ref[from + i] || floats[off + i] != ref[from + i]) {
                        throw new AssertionError(dtype + " read(" + from + ", " + len + ") token " + i + ": int "
                                + ints[off + i] + ", float " + floats[off + i] + ", stored " + ref[from + i]);
                    }
                }
                assertThat(ints[off + len]).as("past the range").isEqualTo(-1);
                assertThat(floats[off + len]).as("past the range").isEqualTo(-1f);
                for (int i = 0; i < off; i++) {
                    assertThat(ints[i]).as("before the range").isZero();
                    assertThat(floats[i]).as("before the range").isZero();
                }
                assertThat(seg.get(from)).isEqualTo(ref[from]);
            }
        }
    }
}
