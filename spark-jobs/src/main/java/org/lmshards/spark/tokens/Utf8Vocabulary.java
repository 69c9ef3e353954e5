package org.lmshards.spark.tokens;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.lmshards.core.vocab.Vocabulary;

/**
 * A {@link Vocabulary}'s ids looked up by a token's UTF-8 bytes, so that a cached block's
 * string table ({@link TokenStrings}) maps to vocabulary ids without decoding a {@code String}
 * per distinct token. Open addressing over one {@code long[]} of slots ({@code hash << 32 | id
 * + 1}) with the tokens' bytes in one arena. Numericalizing looked up every distinct token of
 * every block in the vocabulary's {@code HashMap}: two thirds of the numericalize stage's CPU
 * samples (500 MB benchmark). Gives what {@link Vocabulary#id(String)} gives, 0 ({@code xxunk})
 * for a token it does not know. Immutable once built; thread-safe for lookups.
 */
final class Utf8Vocabulary {
    private final long[] slots;
    private final int[] starts;    // id's bytes: arena[starts[id], starts[id] + lengths[id])
    private final int[] lengths;
    private final byte[] arena;

    Utf8Vocabulary(Vocabulary vocab) {
        int n = vocab.size();
        byte[][] bytes = new byte[n][];
        long total = 0;
        for (int id = 0; id < n; id++) {
            bytes[id] = vocab.token(id).getBytes(StandardCharsets.UTF_8);
            total += bytes[id].length;
        }
        arena = new byte[Math.toIntExact(total)];
        starts = new int[n];
        lengths = new int[n];
        slots = new long[Integer.highestOneBit(Math.max(1, 2 * n - 1)) << 1];
        int p = 0;
        for (int id = 0; id < n; id++) {
            System.arraycopy(bytes[id], 0, arena, p, bytes[id].length);
            starts[id] = p;
            lengths[id] = bytes[id].length;
            p += bytes[id].length;
            // Only a token's own id: padding (xxfake) repeats a token whose id stays 0.
            if (vocab.id(vocab.token(id)) == id && id != 0) {
                insert(id);
            }
        }
    }

    /** The vocabulary id of the token whose UTF-8 bytes are {@code utf8[off, off+len)}; 0 when unknown. */
    int id(byte[] utf8, int off, int len) {
        int h = TokenStrings.hash(utf8, off, len);
        int mask = slots.length - 1;
        for (int i = ByteCountTable.slot(h, mask); ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == 0) {
                return 0;
            }
            int id = (int) s - 1;
            if ((int) (s >>> 32) == h && lengths[id] == len
                    && Arrays.equals(arena, starts[id], starts[id] + len, utf8, off, off + len)) {
                return id;
            }
        }
    }

    private void insert(int id) {
        int h = TokenStrings.hash(arena, starts[id], lengths[id]);
        int mask = slots.length - 1;
        int i = ByteCountTable.slot(h, mask);
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = ((long) h << 32) | (id + 1L);
    }
}
