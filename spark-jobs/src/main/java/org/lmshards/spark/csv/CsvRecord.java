package org.lmshards.spark.csv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One record read by {@link StrictCsvReader}: either well-formed fields (raw UTF-8 bytes, not
 * yet decoded) or the reason it is malformed. Positions are for messages: {@code row} is the
 * 1-based record number in the file, {@code line} the 1-based line where it starts and
 * {@code offset} the byte offset of its first byte.
 */
public final class CsvRecord {
    private final long row;
    private final long line;
    private final long offset;
    private final byte[] bytes;
    private final int[] fieldEnds;
    private final String malformed;

    CsvRecord(long row, long line, long offset, byte[] bytes, int[] fieldEnds, String malformed) {
        this.row = row;
        this.line = line;
        this.offset = offset;
        this.bytes = bytes;
        this.fieldEnds = fieldEnds;
        this.malformed = malformed;
    }

    public long row() {
        return row;
    }

    public long line() {
        return line;
    }

    public long offset() {
        return offset;
    }

    /** Null when well-formed, otherwise what is wrong with the record's quoting or size. */
    public String malformed() {
        return malformed;
    }

    public int fieldCount() {
        return fieldEnds.length;
    }

    public int fieldStart(int i) {
        return i == 0 ? 0 : fieldEnds[i - 1];
    }

    public int fieldEnd(int i) {
        return fieldEnds[i];
    }

    /** The record's field bytes, concatenated; field {@code i} is {@code [fieldStart(i), fieldEnd(i))}. */
    public byte[] bytes() {
        return bytes;
    }

    /** Field {@code i} decoded leniently; for headers and messages only (text goes through {@link Utf8}). */
    public String fieldLenient(int i) {
        return new String(bytes, fieldStart(i), fieldEnd(i) - fieldStart(i), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "CsvRecord[row=" + row + ", line=" + line + ", fields=" + fieldCount()
                + (malformed == null ? "" : ", malformed=" + malformed) + ", ends=" + Arrays.toString(fieldEnds) + "]";
    }
}
