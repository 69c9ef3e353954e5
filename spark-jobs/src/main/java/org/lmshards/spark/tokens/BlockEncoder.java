package org.lmshards.spark.tokens;

import java.util.Arrays;
import java.util.function.Consumer;

import org.lmshards.core.tokenize.ChunkMemo;
import org.lmshards.core.tokenize.FastaiTokenizer;

/**
 * Tokenizes documents into one {@link TokenBlock}'s ids: each token becomes its id in the
 * block's {@link TokenTable}, and the ids of a chunk the block has seen before come from a
 * {@link ChunkIdMemo}, so that a repeated chunk costs one lookup instead of the tokenizer's affix
 * rules plus one table lookup per token (the per-token lookup was a fifth of the tokenizer's own
 * time). The same ids, in the same order, as {@code table.id} on every token of
 * {@link FastaiTokenizer#tokenize(String, Consumer)}. Not thread-safe; one per block, and the
 * blocks of a task, one after the other, share one memo.
 */
final class BlockEncoder {
    private final FastaiTokenizer tokenizer;
    private final TokenTable table = new TokenTable();
    private final ChunkIdMemo memo;
    private final Consumer<String> tokenSink = t -> add(table.id(t));
    private final Consumer<String> chunkSink = this::chunk;
    private int[] ids;
    private int size;

    /** An encoder whose id array starts with room for {@code capacity} tokens. */
    BlockEncoder(FastaiTokenizer tokenizer, int capacity) {
        this(tokenizer, capacity, ChunkMemo.DEFAULT_MAX_ENTRIES);
    }

    /** The same with a memo of at most {@code memoEntries} chunks. */
    BlockEncoder(FastaiTokenizer tokenizer, int capacity, int memoEntries) {
        this(tokenizer, capacity, new ChunkIdMemo(memoEntries));
    }

    /**
     * An encoder that uses {@code memo}, which it clears: a task reuses one memo for all its
     * blocks, one after the other.
     */
    BlockEncoder(FastaiTokenizer tokenizer, int capacity, ChunkIdMemo memo) {
        this.tokenizer = tokenizer;
        this.memo = memo;
        memo.clear();
        this.ids = new int[capacity];
    }

    /** Appends the ids of one document's tokens. */
    void add(String document) {
        tokenizer.forEachChunk(document, chunkSink);
    }

    private void chunk(String chunk) {
        int e = memo.find(chunk);
        if (e < 0) {
            int start = size;
            tokenizer.splitChunk(chunk, tokenSink);
            memo.put(chunk, ids, start, size);
            return;
        }
        int n = memo.valueLength(e);
        if (ids.length - size < n) {
            grow(n);
        }
        System.arraycopy(memo.values(), memo.valueStart(e), ids, size, n);
        size += n;
    }

    private void add(int id) {
        if (size == ids.length) {
            grow(1);
        }
        ids[size++] = id;
    }

    private void grow(int atLeast) {
        long wanted = Math.max(2L * ids.length, (long) size + atLeast);
        if (wanted > Integer.MAX_VALUE - 8) {
            if ((long) size + atLeast > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a block of more than 2^31 tokens (one document that large?)");
            }
            wanted = Integer.MAX_VALUE - 8;
        }
        ids = Arrays.copyOf(ids, (int) wanted);
    }

    /** Tokens encoded so far. */
    int size() {
        return size;
    }

    /** The ids so far (trimmed; the encoder's own array when it is full). */
    int[] ids() {
        return size == ids.length ? ids : Arrays.copyOf(ids, size);
    }

    /** The block's distinct tokens, packed, indexed by id. */
    TokenStrings strings() {
        return table.toStrings();
    }

    /** Occurrences of each id so far. */
    int[] counts() {
        int[] counts = new int[table.size()];
        for (int i = 0; i < size; i++) {
            counts[ids[i]]++;
        }
        return counts;
    }
}
