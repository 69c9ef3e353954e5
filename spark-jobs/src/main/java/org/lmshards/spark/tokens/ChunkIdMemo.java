package org.lmshards.spark.tokens;

import java.util.Arrays;

import org.lmshards.core.tokenize.ChunkMemo;

/**
 * {@link BlockEncoder}'s memo: the block ids of a chunk's tokens. A flat {@link ChunkIndex}
 * numbers the chunks and the ids of all of them lie in one {@code int[]}, so the memo has no
 * objects per entry (a {@code ChunkMemo<int[]>}, which it replaces, had a node, a key and an
 * {@code int[]} per chunk). A task {@link #clear() clears} and reuses one memo for all its
 * blocks, whose ids differ: its arrays, once grown, stay in the old generation instead of being
 * allocated, copied by the collector and dropped again for every block (measured against the
 * per-entry memo in docs/benchmarks-history.md). Bounded like {@link ChunkMemo}. Not thread-safe.
 */
final class ChunkIdMemo {
    private final ChunkIndex index;
    private final int[] valueStart;    // entry e's ids: values[valueStart[e], valueStart[e + 1])
    private int[] values = new int[1 << 16];

    /** A memo of at most {@code maxEntries} chunks (0 keeps none). */
    ChunkIdMemo(int maxEntries) {
        this.index = new ChunkIndex(maxEntries);
        this.valueStart = new int[maxEntries + 1];
    }

    /** The entry of {@code chunk}, or -1 when it is not kept. */
    int find(String chunk) {
        return index.find(chunk);
    }

    /** The array that {@link #valueStart(int)} and {@link #valueLength(int)} index. */
    int[] values() {
        return values;
    }

    int valueStart(int entry) {
        return valueStart[entry];
    }

    int valueLength(int entry) {
        return valueStart[entry + 1] - valueStart[entry];
    }

    /**
     * Keeps {@code ids[from, to)} for {@code chunk}, which {@link #find} did not find, unless
     * the memo is full or the chunk too long.
     */
    void put(String chunk, int[] ids, int from, int to) {
        int e = index.add(chunk);
        if (e < 0) {
            return;
        }
        int vs = valueStart[e];
        int n = to - from;
        if (vs + n > values.length) {
            values = Arrays.copyOf(values, Math.max(2 * values.length, vs + n));
        }
        System.arraycopy(ids, from, values, vs, n);
        valueStart[e + 1] = vs + n;
    }

    /** Forgets every chunk (for the next block), keeping the arrays. */
    void clear() {
        index.clear();
    }

    /** Chunks kept. */
    int size() {
        return index.size();
    }
}
