package org.lmshards.spark.tokens;

import java.util.Arrays;

import org.lmshards.core.tokenize.ChunkMemo;

/**
 * A bounded set of chunks (see {@code FastaiTokenizer.forEachChunk}) that numbers them 0, 1, 2,
 * ... in the order they are added, kept in flat arrays: open addressing over one {@code long[]}
 * of slots ({@code hash << 32 | entry + 1}) with the chunks' characters in one {@code char[]}.
 * Unlike a {@code HashMap<String, V>} it allocates no node, key or value object per entry, and
 * {@link #clear()} keeps its arrays, so a task can reuse one index for all its blocks
 * ({@link ChunkIdMemo}).
 *
 * <p>Chunks longer than {@link ChunkMemo#MAX_CHUNK_CHARS} characters are never added, nor any
 * chunk once {@code maxEntries} are. Not thread-safe.
 */
final class ChunkIndex {
    private final int maxEntries;
    private final long[] slots;
    private final int[] keyStart;     // entry e's characters: chars[keyStart[e], keyStart[e + 1])
    private final char[] probe = new char[ChunkMemo.MAX_CHUNK_CHARS];
    private char[] chars = new char[1 << 16];
    private int entries;

    /** An index of at most {@code maxEntries} chunks (0 keeps none). */
    ChunkIndex(int maxEntries) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must be >= 0, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        // At least twice as many slots as entries: a miss ends at an empty slot within a probe or two.
        this.slots = new long[Integer.highestOneBit(Math.max(1, 2 * maxEntries - 1)) << 1];
        this.keyStart = new int[maxEntries + 1];
    }

    /** The entry of {@code chunk}, or -1 when it is not in the index. */
    int find(String chunk) {
        int n = chunk.length();
        if (n > ChunkMemo.MAX_CHUNK_CHARS) {
            return -1;
        }
        int h = chunk.hashCode();
        int mask = slots.length - 1;
        boolean copied = false;
        for (int i = TokenTable.mix(h) & mask; ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == 0) {
                return -1;
            }
            if ((int) (s >>> 32) == h) {
                int e = (int) s - 1;
                int ks = keyStart[e];
                if (keyStart[e + 1] - ks == n) {
                    if (!copied) {
                        // Arrays.equals on two char ranges is vectorized; String has no such compare with a char[].
                        chunk.getChars(0, n, probe, 0);
                        copied = true;
                    }
                    if (Arrays.equals(chars, ks, ks + n, probe, 0, n)) {
                        return e;
                    }
                }
            }
        }
    }

    /**
     * Adds {@code chunk}, which {@link #find} did not find, and returns its entry, the next
     * number; -1 when the index is full or the chunk too long (nothing added).
     */
    int add(String chunk) {
        int n = chunk.length();
        if (entries == maxEntries || n > ChunkMemo.MAX_CHUNK_CHARS) {
            return -1;
        }
        int e = entries;
        int ks = keyStart[e];
        if (ks + n > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(2 * chars.length, ks + n));
        }
        chunk.getChars(0, n, chars, ks);
        keyStart[e + 1] = ks + n;
        int h = chunk.hashCode();
        int mask = slots.length - 1;
        int i = TokenTable.mix(h) & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = ((long) h << 32) | (e + 1L);
        entries++;
        return e;
    }

    /** Forgets every chunk, keeping the arrays for reuse. */
    void clear() {
        if (entries > 0) {
            Arrays.fill(slots, 0L);
            entries = 0;
        }
    }

    /** Chunks in the index. */
    int size() {
        return entries;
    }

    /** The most chunks the index takes. */
    int maxEntries() {
        return maxEntries;
    }
}
