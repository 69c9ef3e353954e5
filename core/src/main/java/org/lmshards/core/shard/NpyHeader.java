package org.lmshards.core.shard;

import org.lmshards.core.ShardFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a 1-D NumPy {@code .npy} file, format version 1.0 (docs/FORMAT.md): encoding
 * for writers, parsing and validation for readers.
 *
 * @param descr       the {@code descr} value, e.g. {@code "<u2"}
 * @param length      the single dimension of {@code shape}
 * @param dataOffset  byte offset of the first element ({@code 10 + HLEN})
 */
public record NpyHeader(String descr, long length, int dataOffset) {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Header and data start are aligned to this many bytes. */
    public static final int ALIGNMENT = 64;
    private static final int PREFIX = 10;
    /** Headers are never longer than this (ours are 128 bytes); bounds what a reader reads. */
    private static final int MAX_HEADER = 64 * 1024;

    /** The header bytes for a 1-D array: fixed key order, space padding, {@code '\n'}, total a multiple of 64. */
    public static byte[] encode(String descr, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + length + ",), }";
        int unpadded = PREFIX + dict.length() + 1;
        int total = (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        int hlen = total - PREFIX;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) hlen);
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /**
     * Reads and validates the header at the start of {@code ch}: magic, version 1.0, a parseable
     * dict with a {@code descr}, {@code fortran_order} False and a 1-D {@code shape}.
     *
     * @param file the name used in error messages
     */
    public static NpyHeader read(FileChannel ch, String file) throws IOException {
        long size = ch.size();
        ByteBuffer prefix = ByteBuffer.allocate(PREFIX).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, prefix, 0);
        int got = prefix.position();
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= got || prefix.get(i) != MAGIC[i]) {
                if (got < MAGIC.length && size < MAGIC.length && matchesMagicPrefix(prefix, got)) {
                    throw new ShardFormatException(file, "truncated: " + size + " bytes, shorter than the .npy header");
                }
                throw new ShardFormatException(file, "bad magic: not a .npy file (expected \\x93NUMPY)");
            }
        }
        if (got < PREFIX) {
            throw new ShardFormatException(file, "truncated: " + size + " bytes, shorter than the .npy header");
        }
        int major = prefix.get(6) & 0xff, minor = prefix.get(7) & 0xff;
        if (major != 1 || minor != 0) {
            throw new ShardFormatException(file, "unsupported .npy version " + major + "." + minor + " (expected 1.0)");
        }
        int hlen = prefix.getShort(8) & 0xffff;
        if (PREFIX + hlen > size) {
            throw new ShardFormatException(file, "truncated: " + size + " bytes, header needs " + (PREFIX + hlen));
        }
        if (hlen > MAX_HEADER) {
            throw new ShardFormatException(file, "malformed header: length " + hlen);
        }
        ByteBuffer hb = ByteBuffer.allocate(hlen);
        readFully(ch, hb, PREFIX);
        String header = new String(hb.array(), StandardCharsets.ISO_8859_1);
        Map<String, String> dict = parseDict(header, file);
        String descr = unquote(dict.get("descr"));
        if (descr == null) {
            throw new ShardFormatException(file, "malformed header: no 'descr' string in " + header.trim());
        }
        String fortran = dict.get("fortran_order");
        if (!"False".equals(fortran)) {
            throw new ShardFormatException(file, "malformed header: fortran_order must be False, got " + fortran);
        }
        long length = parseShape(dict.get("shape"), file);
        return new NpyHeader(descr, length, PREFIX + hlen);
    }

    private static boolean matchesMagicPrefix(ByteBuffer b, int got) {
        for (int i = 0; i < got; i++) {
            if (b.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos + dst.position());
            if (n < 0) {
                break;
            }
        }
    }

    /** Parses {@code {'k': v, ...}} into raw value strings; values may be quoted strings, words or tuples. */
    private static Map<String, String> parseDict(String header, String file) throws ShardFormatException {
        String s = header.strip();
        if (!s.startsWith("{") || !s.endsWith("}")) {
            throw new ShardFormatException(file, "malformed header: not a dict: " + s);
        }
        s = s.substring(1, s.length() - 1);
        List<String> items = new ArrayList<>();
        int depth = 0, start = 0;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                items.add(s.substring(start, i));
                start = i + 1;
            }
        }
        items.add(s.substring(start));
        Map<String, String> out = new HashMap<>();
        for (String item : items) {
            String it = item.strip();
            if (it.isEmpty()) {
                continue;
            }
            int colon = keyEnd(it);
            if (colon < 0) {
                throw new ShardFormatException(file, "malformed header: bad dict entry '" + it + "'");
            }
            String key = unquote(it.substring(0, colon).strip());
            if (key == null) {
                throw new ShardFormatException(file, "malformed header: bad dict key in '" + it + "'");
            }
            out.put(key, it.substring(colon + 1).strip());
        }
        return out;
    }

    private static int keyEnd(String item) {
        if (item.isEmpty() || (item.charAt(0) != '\'' && item.charAt(0) != '"')) {
            return -1;
        }
        int close = item.indexOf(item.charAt(0), 1);
        return close < 0 ? -1 : item.indexOf(':', close);
    }

    private static String unquote(String v) {
        if (v == null || v.length() < 2) {
            return null;
        }
        char q = v.charAt(0);
        if ((q == '\'' || q == '"') && v.charAt(v.length() - 1) == q) {
            return v.substring(1, v.length() - 1);
        }
        return null;
    }

    private static long parseShape(String shape, String file) throws ShardFormatException {
        if (shape == null || !shape.startsWith("(") || !shape.endsWith(")")) {
            throw new ShardFormatException(file, "malformed header: shape is " + shape + ", expected (N,)");
        }
        String inner = shape.substring(1, shape.length() - 1).strip();
        String[] dims = inner.split(",", -1);
        // a 1-D tuple is "N," (trailing comma); "N" alone is not a tuple in Python
        if (dims.length != 2 || !dims[1].isBlank()) {
            throw new ShardFormatException(file, "malformed header: shape " + shape + " is not one-dimensional");
        }
        String n = dims[0].strip();
        if (n.endsWith("L")) {
            n = n.substring(0, n.length() - 1);
        }
        try {
            long v = Long.parseLong(n);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ShardFormatException(file, "malformed header: bad shape " + shape);
        }
    }
}
