package org.lmshards.trainer.data;

import java.util.Random;

/** An in-memory {@link TokenSource}: documents concatenated in one array. */
final class ArraySource implements TokenSource {
    final int[] tokens;
    final long[] offsets;
    private final String name;

    ArraySource(String name, int[] tokens, long[] offsets) {
        this.name = name;
        this.tokens = tokens;
        this.offsets = offsets;
    }

    /**
     * Random documents of 1..maxDocLen tokens; with {@code uniqueIds} token {@code i} has id
     * {@code i} (so each input can be traced back to its position), else random ids below {@code vocab}.
     */
    static ArraySource random(Random rnd, int docs, int maxDocLen, int vocab, boolean uniqueIds) {
        long[] offsets = new long[docs + 1];
        for (int d = 0; d < docs; d++) {
            offsets[d + 1] = offsets[d] + 1 + rnd.nextInt(maxDocLen);
        }
        int[] tokens = new int[(int) offsets[docs]];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = uniqueIds ? i : rnd.nextInt(vocab);
        }
        return new ArraySource("mem", tokens, offsets);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return tokens.length;
    }

    @Override
    public void read(long start, int[] dst, int off, int len) {
        if (start < 0 || start + len > tokens.length) {
            throw new IndexOutOfBoundsException(start + "+" + len);
        }
        System.arraycopy(tokens, (int) start, dst, off, len);
    }

    @Override
    public long numDocs() {
        return offsets.length - 1;
    }

    @Override
    public long docStart(long doc) {
        return offsets[(int) doc];
    }

    @Override
    public long docEnd(long doc) {
        return offsets[(int) doc + 1];
    }
}
