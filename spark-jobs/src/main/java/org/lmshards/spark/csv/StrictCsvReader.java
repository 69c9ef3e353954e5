package org.lmshards.spark.csv;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A streaming, byte-level RFC 4180 reader (delimiter {@code ,}, quote and escape {@code "})
 * that, unlike Spark's CSV source, reports <em>where</em> input is malformed: every record
 * carries its 1-based record number, start line and byte offset, and a record with an
 * unterminated quote, a stray quote or an oversized field is returned as malformed instead of
 * being silently re-interpreted.
 *
 * <p>Working on bytes is safe for UTF-8 because {@code , " CR LF} never occur inside a
 * multi-byte sequence; fields stay undecoded so that invalid UTF-8 is reported per record
 * ({@link Utf8}). Accepted variations: a UTF-8 byte-order mark at the start of the file
 * (dropped), LF, CRLF or CR record terminators, and blank lines between records (skipped, not
 * counted as records, like Spark and pandas). Inside quoted fields CRLF is normalised to LF so
 * that a CRLF file yields the same text as its LF twin. After a malformed record the reader
 * resynchronises at the next line end.
 */
public final class StrictCsvReader {
    /** Largest record accepted; beyond it the record is malformed (almost always a lost quote). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 256 << 20;

    private static final int EOF = -1;

    private final InputStream in;
    private final int maxRecordBytes;
    private final boolean keepBytes;
    private final long limit;       // bytes of the stream that belong to this reader
    private final long baseOffset;  // file offset of the stream's first byte
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private long consumed;          // bytes consumed before buf[0]
    private long line = 1;
    private long row;
    private boolean eof;

    private byte[] rec = new byte[1024];
    private int recLen;
    private int[] ends = new int[8];
    private int nFields;
    private boolean overflow;

    public StrictCsvReader(InputStream in) {
        this(in, DEFAULT_MAX_RECORD_BYTES);
    }

    public StrictCsvReader(InputStream in, int maxRecordBytes) {
        this(in, maxRecordBytes, true, 0, Long.MAX_VALUE, 0, 1);
    }

    /**
     * A reader for part of a file: {@code in} is positioned at file offset {@code offset}, a
     * record boundary found by a scanning reader, and this reader stops after {@code limit}
     * bytes; record and line numbers continue from {@code rowsBefore} and {@code line}.
     *
     * @param keepBytes false for a scanning reader that only finds record boundaries (records
     *                  come back without field bytes; malformed and size checks are identical)
     */
    public StrictCsvReader(InputStream in, int maxRecordBytes, boolean keepBytes, long offset, long limit, long rowsBefore,
                           long line) {
        this.in = in;
        this.maxRecordBytes = maxRecordBytes;
        this.keepBytes = keepBytes;
        this.baseOffset = offset;
        this.limit = limit;
        this.row = rowsBefore;
        this.line = line;
        this.atFileStart = offset == 0;
    }

    private boolean atFileStart;

    /** Bytes consumed so far by this reader (the BOM included). */
    public long bytesRead() {
        return consumed + pos;
    }

    /** File offset of the next byte. */
    public long offset() {
        return baseOffset + bytesRead();
    }

    /** Records returned so far, counting from the start of the file. */
    public long rows() {
        return row;
    }

    /** The line at the next byte. */
    public long line() {
        return line;
    }

    /** The next record, or null at the end of the input. */
    public CsvRecord next() throws IOException {
        if (atFileStart) {
            atFileStart = false;
            skipBom();
        }
        int c;
        // Skip blank lines: they are not records.
        while (true) {
            c = peek();
            if (c == '\n') {
                read();
                line++;
            } else if (c == '\r') {
                read();
                if (peek() == '\n') {
                    read();
                }
                line++;
            } else {
                break;
            }
        }
        if (c == EOF) {
            return null;
        }
        row++;
        long startLine = line;
        long startOffset = offset();
        recLen = 0;
        nFields = 0;
        overflow = false;
        while (true) {
            String problem;
            int end;
            if (peek() == '"') {
                read();
                long quoteLine = line;
                problem = null;
                end = -2;
                while (end == -2) {
                    copyRun(true);
                    c = read();
                    switch (c) {
                        case EOF -> {
                            problem = "unterminated quoted field (the quote opens at line " + quoteLine + ")";
                            end = EOF;
                        }
                        case '"' -> {
                            if (peek() == '"') {
                                read();
                                append('"');
                            } else {
                                c = read();
                                if (c == ',' || c == '\n' || c == '\r' || c == EOF) {
                                    end = c;
                                } else {
                                    problem = "unexpected character '" + printable(c) + "' after the closing quote of field "
                                            + (nFields + 1) + " at line " + line;
                                    end = c;
                                }
                            }
                        }
                        case '\r' -> {
                            if (peek() == '\n') {
                                read();
                            }
                            append('\n');
                            line++;
                        }
                        case '\n' -> {
                            append('\n');
                            line++;
                        }
                        default -> append(c);
                    }
                }
            } else {
                problem = null;
                while (true) {
                    copyRun(false);
                    c = read();
                    if (c == ',' || c == '\n' || c == '\r' || c == EOF) {
                        end = c;
                        break;
                    }
                    if (c == '"') {
                        problem = "stray quote in unquoted field " + (nFields + 1) + " at line " + line
                                + " (a field containing quotes must be quoted, its quotes doubled)";
                        end = c;
                        break;
                    }
                    append(c);
                }
            }
            if (problem == null && overflow) {
                problem = "record larger than " + (maxRecordBytes >> 20) + " MiB (a lost quote?)";
                if (end == ',') {
                    end = '"'; // force a resync below
                }
            }
            if (problem != null) {
                if (end != EOF && end != '\n' && end != '\r') {
                    end = skipToLineEnd();
                }
                endLine(end);
                return new CsvRecord(row, startLine, startOffset, new byte[0], new int[0], problem);
            }
            addField();
            if (end != ',') {
                endLine(end);
                return new CsvRecord(row, startLine, startOffset, keepBytes ? Arrays.copyOf(rec, recLen) : new byte[0],
                        keepBytes ? Arrays.copyOf(ends, nFields) : new int[0], null);
            }
        }
    }

    private void endLine(int terminator) throws IOException {
        if (terminator == '\r' && peek() == '\n') {
            read();
        }
        if (terminator == '\n' || terminator == '\r') {
            line++;
        }
    }

    private int skipToLineEnd() throws IOException {
        while (true) {
            int c = read();
            if (c == '\n' || c == '\r' || c == EOF) {
                return c;
            }
        }
    }

    private void addField() {
        if (!keepBytes) {
            return;
        }
        if (nFields == ends.length) {
            ends = Arrays.copyOf(ends, nFields * 2);
        }
        ends[nFields++] = recLen;
    }

    /**
     * Appends the run of ordinary bytes at the read position in bulk, up to (not including) the
     * next byte the state machine must see: {@code " CR LF}, and {@code ,} outside quotes; or
     * up to the end of the input. Byte-at-a-time reading cost more than the tokenizer's
     * lookups in the Spark job's profile; a field is mostly such runs.
     */
    private void copyRun(boolean quoted) throws IOException {
        while (pos < lim || fill(1) > 0) {
            int i = pos;
            int n = lim;
            byte[] b = buf;
            if (quoted) {
                while (i < n && b[i] != '"' && b[i] != '\n' && b[i] != '\r') {
                    i++;
                }
            } else {
                while (i < n && b[i] != '"' && b[i] != '\n' && b[i] != '\r' && b[i] != ',') {
                    i++;
                }
            }
            appendRun(b, pos, i - pos);
            pos = i;
            if (i < n) {
                return;
            }
        }
    }

    private void appendRun(byte[] src, int off, int len) {
        int room = maxRecordBytes - recLen;
        if (len > room) {
            overflow = true;
            len = Math.max(room, 0);
        }
        if (keepBytes && len > 0) {
            if (recLen + len > rec.length) {
                rec = Arrays.copyOf(rec, (int) Math.min((long) maxRecordBytes, Math.max(2L * rec.length, (long) recLen + len)));
            }
            System.arraycopy(src, off, rec, recLen, len);
        }
        recLen += len;
    }

    private void append(int b) {
        if (recLen >= maxRecordBytes) {
            overflow = true;
            return;
        }
        if (keepBytes) {
            if (recLen == rec.length) {
                rec = Arrays.copyOf(rec, (int) Math.min((long) maxRecordBytes, 2L * rec.length));
            }
            rec[recLen] = (byte) b;
        }
        recLen++;
    }

    private void skipBom() throws IOException {
        if (fill(3) >= 3 && (buf[pos] & 0xff) == 0xEF && (buf[pos + 1] & 0xff) == 0xBB && (buf[pos + 2] & 0xff) == 0xBF) {
            pos += 3;
        }
    }

    private static String printable(int c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
    }

    private int peek() throws IOException {
        if (pos < lim || fill(1) > 0) {
            return buf[pos] & 0xff;
        }
        return EOF;
    }

    private int read() throws IOException {
        if (pos < lim || fill(1) > 0) {
            return buf[pos++] & 0xff;
        }
        return EOF;
    }

    /** Makes at least {@code n} bytes available if the input has them; returns how many are. */
    private int fill(int n) throws IOException {
        if (lim - pos >= n || eof) {
            return lim - pos;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            consumed += pos;
            lim -= pos;
            pos = 0;
        }
        while (lim < n) {
            long left = limit - (consumed + lim);
            if (left <= 0) {
                eof = true;
                break;
            }
            int r = in.read(buf, lim, (int) Math.min(buf.length - lim, left));
            if (r < 0) {
                eof = true;
                break;
            }
            lim += r;
        }
        return lim - pos;
    }
}
