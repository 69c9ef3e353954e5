package org.lmshards.spark.tokens;

import java.util.Arrays;

/**
 * A block's string table: token to dense id in order of first appearance. Open addressing over
 * parallel arrays with each slot's hash cached next to its id, so a lookup of a token already in
 * the table touches one {@code long[]} slot and the key, instead of a {@code HashMap} node, the
 * key and a boxed {@code Integer} (the lookup runs once per token of every chunk that
 * {@link BlockEncoder} has not memoized: once per token, before the memo, it was 13% of the job).
 */
final class TokenTable {
    private long[] slots;        // (hash << 32) | (id + 1); 0 = empty
    private String[] keys;
    private String[] byId;
    private int size;

    TokenTable() {
        slots = new long[1 << 14];
        keys = new String[1 << 14];
        byId = new String[1 << 13];
    }

    int id(String token) {
        int h = token.hashCode();
        int mask = slots.length - 1;
        int i = mix(h) & mask;
        while (true) {
            long s = slots[i];
            if (s == 0) {
                return add(token, h, i);
            }
            if ((int) (s >>> 32) == h && keys[i].equals(token)) {
                return (int) s - 1;
            }
            i = (i + 1) & mask;
        }
    }

    private int add(String token, int h, int slot) {
        int id = size++;
        slots[slot] = ((long) h << 32) | (id + 1L);
        keys[slot] = token;
        if (id == byId.length) {
            byId = Arrays.copyOf(byId, id * 2);
        }
        byId[id] = token;
        if (size * 2 > slots.length) {
            grow();
        }
        return id;
    }

    private void grow() {
        long[] oldSlots = slots;
        String[] oldKeys = keys;
        slots = new long[oldSlots.length * 2];
        keys = new String[oldSlots.length * 2];
        int mask = slots.length - 1;
        for (int j = 0; j < oldSlots.length; j++) {
            long s = oldSlots[j];
            if (s != 0) {
                int i = mix((int) (s >>> 32)) & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = s;
                keys[i] = oldKeys[j];
            }
        }
    }

    /** Spreads a {@code String.hashCode} over the slot bits (the tables here mask its low bits). */
    static int mix(int h) {
        int x = h * 0x9E3779B9;
        return x ^ (x >>> 16);
    }

    String[] toArray() {
        return Arrays.copyOf(byId, size);
    }

    /** The table packed for caching. */
    TokenStrings toStrings() {
        return TokenStrings.of(byId, size);
    }

    /** Distinct tokens so far. */
    int size() {
        return size;
    }
}
