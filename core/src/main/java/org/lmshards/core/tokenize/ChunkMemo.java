package org.lmshards.core.tokenize;

import java.util.HashMap;

/**
 * Remembers what the tokens of a chunk (see {@link FastaiTokenizer#forEachChunk}) became, for one
 * thread: spaCy's tokenizer keeps the same kind of cache. A chunk's tokens depend on the chunk
 * alone, and chunks follow Zipf's law, so most of a corpus's chunks are repeats whose affix
 * splitting (regular expressions) need not run again. {@code V} is whatever the caller derives
 * from the tokens, such as the tokens themselves ({@link FastaiTokenizer#tokenize(String, ChunkMemo, java.util.function.Consumer)});
 * the Spark job keeps its chunks' ids in a flat memo of its own instead, one per task.
 *
 * <p>Bounded: chunks longer than {@value #MAX_CHUNK_CHARS} characters (URLs, tables, one-off
 * strings) are not kept, and once {@code maxEntries} chunks are kept no more are added. Keeping
 * the first chunks seen suits Zipf-distributed text, where the frequent chunks come early; it
 * also keeps the memo's memory fixed (about 120 bytes per entry plus the value). Not thread-safe.
 */
public final class ChunkMemo<V> {
    /** Entries kept by default: about 16 MB with token arrays as values. */
    public static final int DEFAULT_MAX_ENTRIES = 1 << 17;
    /** Longer chunks are not kept. */
    public static final int MAX_CHUNK_CHARS = 64;

    private final HashMap<String, V> entries;
    private final int maxEntries;

    /** A memo of at most {@value #DEFAULT_MAX_ENTRIES} chunks. */
    public ChunkMemo() {
        this(DEFAULT_MAX_ENTRIES);
    }

    /** A memo of at most {@code maxEntries} chunks (0 keeps none). */
    public ChunkMemo(int maxEntries) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must be >= 0, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.entries = new HashMap<>(Math.min(maxEntries, 1 << 12) * 2);
    }

    /** What {@code chunk}'s tokens became, or null when the chunk is not kept. */
    public V get(String chunk) {
        return entries.get(chunk);
    }

    /** Keeps {@code value} for {@code chunk} unless the memo is full or the chunk is too long. */
    public void put(String chunk, V value) {
        if (entries.size() < maxEntries && chunk.length() <= MAX_CHUNK_CHARS) {
            entries.put(chunk, value);
        }
    }

    /** Chunks kept. */
    public int size() {
        return entries.size();
    }
}
