package org.lmshards.trainer.data;

import org.lmshards.core.shard.TokenStore;

/**
 * The part of a token split the iterator needs: random-access reads of token ids and the
 * document-boundary index. {@link TokenStore} is the real implementation; the indirection lets
 * the batching logic be tested and benchmarked against any source.
 *
 * <p>Implementations must allow concurrent {@link #read} calls from several threads.
 */
interface TokenSource {
    /** A name for messages, e.g. the split's directory. */
    String name();

    long size();

    void read(long start, int[] dst, int off, int len);

    /**
     * As {@link #read(long, int[], int, int)}, the ids as {@code float}. {@code scratch} (at least
     * {@code len} long) belongs to the caller: this default reads through it with the int read;
     * a source with a float read of its own ({@link TokenStore}) ignores it.
     */
    default void read(long start, float[] dst, int off, int len, int[] scratch) {
        read(start, scratch, 0, len);
        for (int i = 0; i < len; i++) {
            dst[off + i] = scratch[i];
        }
    }

    long numDocs();

    long docStart(long doc);

    long docEnd(long doc);

    static TokenSource of(TokenStore store) {
        return new TokenSource() {
            @Override
            public String name() {
                return String.valueOf(store.splitDir());
            }

            @Override
            public long size() {
                return store.size();
            }

            @Override
            public void read(long start, int[] dst, int off, int len) {
                store.read(start, dst, off, len);
            }

            @Override
            public void read(long start, float[] dst, int off, int len, int[] scratch) {
                store.read(start, dst, off, len);
            }

            @Override
            public long numDocs() {
                return store.numDocs();
            }

            @Override
            public long docStart(long doc) {
                return store.docStart(doc);
            }

            @Override
            public long docEnd(long doc) {
                return store.docEnd(doc);
            }
        };
    }
}
