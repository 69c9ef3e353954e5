package org.lmshards.spark.tokens;

import java.util.Arrays;

/**
 * Sums the counts of tokens given as UTF-8 bytes, without decoding them: the count stage's
 * reducers merge millions of table entries of which most fall under {@code min_freq} and are
 * dropped, so only the survivors are ever turned into strings (on the driver). Open addressing
 * over parallel arrays; each distinct token's bytes are copied once into one arena.
 */
final class ByteCountTable {
    private long[] slots = new long[1 << 12];   // (hash << 32) | (entry + 1); 0 = empty
    private int[] starts = new int[1 << 11];
    private int[] lengths = new int[1 << 11];
    private long[] counts = new long[1 << 11];
    private byte[] arena = new byte[1 << 16];
    private int arenaSize;
    private int size;

    /** Adds {@code count} to the token whose UTF-8 bytes are {@code utf8[off, off+len)}. */
    void add(byte[] utf8, int off, int len, long count) {
        int h = TokenStrings.hash(utf8, off, len);
        int mask = slots.length - 1;
        int i = slot(h, mask);
        while (true) {
            long s = slots[i];
            if (s == 0) {
                insert(utf8, off, len, count, h, i);
                return;
            }
            int e = (int) s - 1;
            if ((int) (s >>> 32) == h && lengths[e] == len
                    && Arrays.equals(arena, starts[e], starts[e] + len, utf8, off, off + len)) {
                counts[e] += count;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** Distinct tokens so far. */
    int size() {
        return size;
    }

    /** Appends the tokens counted at least {@code minCount} times, with their counts, to {@code out}. */
    void appendAtLeast(long minCount, CountPayload out) {
        for (int e = 0; e < size; e++) {
            if (counts[e] >= minCount) {
                out.add(arena, starts[e], lengths[e], counts[e]);
            }
        }
    }

    /**
     * The reducer's entries all share their routing hash modulo the number of reducers, so the
     * slot comes from the high bits of a multiplicative mix, which depend on every bit of the hash.
     */
    static int slot(int h, int mask) {
        return (int) (((h * 0x9E3779B97F4A7C15L) >>> 32) & mask);
    }

    private void insert(byte[] utf8, int off, int len, long count, int h, int slot) {
        if (arenaSize + len > arena.length) {
            long wanted = Math.max(2L * arena.length, (long) arenaSize + len);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("distinct tokens of one count partition exceed 2 GiB of UTF-8");
            }
            arena = Arrays.copyOf(arena, (int) wanted);
        }
        System.arraycopy(utf8, off, arena, arenaSize, len);
        int e = size++;
        if (e == starts.length) {
            starts = Arrays.copyOf(starts, 2 * e);
            lengths = Arrays.copyOf(lengths, 2 * e);
            counts = Arrays.copyOf(counts, 2 * e);
        }
        starts[e] = arenaSize;
        lengths[e] = len;
        counts[e] = count;
        arenaSize += len;
        slots[slot] = ((long) h << 32) | (e + 1L);
        if (2 * size > slots.length) {
            grow();
        }
    }

    private void grow() {
        long[] old = slots;
        slots = new long[2 * old.length];
        int mask = slots.length - 1;
        for (long s : old) {
            if (s != 0) {
                int i = slot((int) (s >>> 32), mask);
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = s;
            }
        }
    }
}
