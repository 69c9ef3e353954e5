package org.lmshards.spark.csv;

/**
 * Recognises text that is UTF-16 read as bytes. UTF-16 of mostly Latin text puts a NUL in
 * every other byte, which is valid UTF-8 and would otherwise become tokens like
 * {@code h\x00e\x00}; saying "looks like UTF-16" turns a baffling reject into a fix.
 */
public final class Utf16Sniffer {
    private Utf16Sniffer() {
    }

    /** Offset of the first NUL byte in {@code b[off, off+len)} relative to {@code off}, or -1. */
    public static int firstNul(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (b[off + i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * True for a UTF-16 byte-order mark at the start, or when at least half the bytes of one
     * parity (even or odd offsets) are NUL and the other parity has at most a quarter as many.
     */
    public static boolean looksLikeUtf16(byte[] b, int off, int len) {
        if (len >= 2 && ((b[off] & 0xff) == 0xFF && (b[off + 1] & 0xff) == 0xFE
                || (b[off] & 0xff) == 0xFE && (b[off + 1] & 0xff) == 0xFF)) {
            return true;
        }
        if (len < 4) {
            return false;
        }
        int even = 0;
        int odd = 0;
        for (int i = 0; i < len; i++) {
            if (b[off + i] == 0) {
                if ((i & 1) == 0) {
                    even++;
                } else {
                    odd++;
                }
            }
        }
        int most = Math.max(even, odd);
        return most * 4 >= len && Math.min(even, odd) * 4 <= most;
    }

    /** The advice appended to a reject reason when {@link #looksLikeUtf16} holds. */
    public static final String ADVICE = "; the file looks like UTF-16: convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)";
}
