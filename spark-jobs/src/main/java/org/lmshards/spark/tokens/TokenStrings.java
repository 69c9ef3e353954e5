package org.lmshards.spark.tokens;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A block's token strings packed as UTF-8 into one byte array with end offsets: two objects
 * per block instead of two per distinct token. Cached blocks held millions of small
 * {@code String}s that the garbage collector copied and marked while tasks ran, and two
 * concurrent tasks were measurably slower than one for it.
 */
public final class TokenStrings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final byte[] utf8;
    private final int[] ends;

    private TokenStrings(byte[] utf8, int[] ends) {
        this.utf8 = utf8;
        this.ends = ends;
    }

    /** Packs {@code tokens[0, n)}. */
    static TokenStrings of(String[] tokens, int n) {
        byte[][] encoded = new byte[n][];
        long total = 0;
        for (int i = 0; i < n; i++) {
            encoded[i] = tokens[i].getBytes(StandardCharsets.UTF_8);
            total += encoded[i].length;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a block's distinct tokens exceed 2 GiB of UTF-8");
        }
        byte[] utf8 = new byte[(int) total];
        int[] ends = new int[n];
        int p = 0;
        for (int i = 0; i < n; i++) {
            System.arraycopy(encoded[i], 0, utf8, p, encoded[i].length);
            p += encoded[i].length;
            ends[i] = p;
        }
        return new TokenStrings(utf8, ends);
    }

    public int size() {
        return ends.length;
    }

    private int start(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    /** Token {@code i}, decoded (a new String each call). */
    public String get(int i) {
        int start = start(i);
        return new String(utf8, start, ends[i] - start, StandardCharsets.UTF_8);
    }

    /** A hash of token {@code i}'s UTF-8 bytes (the same on every JVM). */
    int hash(int i) {
        int start = start(i);
        return hash(utf8, start, ends[i] - start);
    }

    /** The hash of a token given as UTF-8 bytes {@code utf8[off, off+len)}: the count stage routes and merges by it. */
    static int hash(byte[] utf8, int off, int len) {
        int h = 1;
        for (int j = off; j < off + len; j++) {
            h = 31 * h + utf8[j];
        }
        return h ^ (h >>> 16);
    }

    /** Token {@code i}'s id in {@code vocab}, found by its bytes (0 when unknown). */
    int idIn(Utf8Vocabulary vocab, int i) {
        int start = start(i);
        return vocab.id(utf8, start, ends[i] - start);
    }

    /** Appends token {@code i}'s bytes and {@code count} to a count payload. */
    void appendTo(CountPayload payload, int i, long count) {
        int start = start(i);
        payload.add(utf8, start, ends[i] - start, count);
    }

    /** All tokens, decoded. */
    public String[] toArray() {
        String[] out = new String[ends.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }
}
