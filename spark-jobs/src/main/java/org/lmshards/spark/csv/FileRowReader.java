package org.lmshards.spark.csv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Turns one CSV file into {@link ParsedRow}s: handles the optional header, picks the text
 * column, decodes it as strict UTF-8 and rejects rows that are malformed, lack the column,
 * are not valid UTF-8, or hold only whitespace. Rows come out in file order.
 */
public final class FileRowReader implements Iterator<ParsedRow> {
    private final int file;
    private final StrictCsvReader csv;
    private final boolean header;
    private final TextColumn column;
    private final boolean stopAfterFirstReject;
    private final Utf8 utf8 = new Utf8();

    private int columnIndex;
    private String columnProblem;   // set when the header does not name the column
    private boolean started;
    private boolean stopped;
    private long ordinal;
    /** Fields every row must have: the header's, else the first well-formed row's; -1 until known. */
    private int expectedFields = -1;
    private long expectedFieldsRow;
    private ParsedRow next;

    /**
     * @param stopAfterFirstReject stop reading the file after its first rejected row (with
     *                             {@code --on-bad-row fail} the job fails anyway, so reading on is wasted)
     */
    public FileRowReader(int file, StrictCsvReader csv, boolean header, TextColumn column, boolean stopAfterFirstReject) {
        this.file = file;
        this.csv = csv;
        this.header = header;
        this.column = column;
        this.stopAfterFirstReject = stopAfterFirstReject;
        this.columnIndex = column.index();
    }

    /**
     * A reader for a later part of a file, whose header (when {@code header} is set) was read
     * separately: {@code headerRecord} is the file's first record (without a header: its first
     * well-formed record, which fixes the number of fields, or null when none precedes this part).
     */
    public static FileRowReader continuing(int file, StrictCsvReader csv, boolean header, CsvRecord headerRecord,
                                           TextColumn column, boolean stopAfterFirstReject) {
        FileRowReader r = new FileRowReader(file, csv, false, column, stopAfterFirstReject);
        if (header) {
            r.useHeader(headerRecord);
        } else if (headerRecord != null && headerRecord.malformed() == null) {
            r.expectedFields = headerRecord.fieldCount();
            r.expectedFieldsRow = headerRecord.row();
        }
        return r;
    }

    public long bytesRead() {
        return csv.bytesRead();
    }

    /** File offset of the next byte to read (where a read error happened). */
    public long offset() {
        return csv.offset();
    }

    /** Records read so far, counting from the start of the file. */
    public long rows() {
        return csv.rows();
    }

    @Override
    public boolean hasNext() {
        if (next == null && !stopped) {
            try {
                next = advance();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (next == null) {
                stopped = true;
            } else if (!next.accepted() && stopAfterFirstReject) {
                stopped = true;
            }
        }
        return next != null;
    }

    @Override
    public ParsedRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ParsedRow r = next;
        next = null;
        return r;
    }

    private ParsedRow advance() throws IOException {
        if (!started) {
            started = true;
            if (header) {
                readHeader();
            }
        }
        CsvRecord r = csv.next();
        if (r == null) {
            return null;
        }
        if (r.malformed() != null) {
            return reject(r, "malformed CSV: " + r.malformed());
        }
        if (expectedFields < 0) {
            expectedFields = r.fieldCount();
            expectedFieldsRow = r.row();
        }
        if (columnProblem != null) {
            return reject(r, columnProblem);
        }
        if (columnIndex >= r.fieldCount()) {
            return reject(r, "the row has " + r.fieldCount() + " field" + (r.fieldCount() == 1 ? "" : "s")
                    + ", so text column " + column + " (index " + columnIndex + ") is out of range");
        }
        if (r.fieldCount() != expectedFields) {
            return reject(r, "the row has " + fields(r.fieldCount()) + " but row " + expectedFieldsRow + " of the file has "
                    + fields(expectedFields) + (r.fieldCount() > expectedFields
                    ? " (an unquoted comma? a field holding commas must be quoted)" : ""));
        }
        int start = r.fieldStart(columnIndex);
        int len = r.fieldEnd(columnIndex) - start;
        Utf8.Decoded d = utf8.decode(r.bytes(), start, len);
        if (d.text() == null) {
            return reject(r, "invalid UTF-8 in the text field at byte " + d.badOffset() + " of the field"
                    + (Utf16Sniffer.looksLikeUtf16(r.bytes(), start, len) ? Utf16Sniffer.ADVICE : ""));
        }
        if (d.text().indexOf('\0') >= 0) {
            // Valid UTF-8, but never text: a NUL means binary data or another encoding.
            return reject(r, "NUL byte (0x00) in the text field at byte " + Utf16Sniffer.firstNul(r.bytes(), start, len)
                    + " of the field" + (Utf16Sniffer.looksLikeUtf16(r.bytes(), start, len) ? Utf16Sniffer.ADVICE : ""));
        }
        String blank = BlankText.problem(d.text());
        if (blank != null) {
            return reject(r, blank);
        }
        return new ParsedRow(file, r.row(), r.line(), r.offset(), ordinal++, d.text(), null);
    }

    private void readHeader() throws IOException {
        useHeader(csv.next());
    }

    private void useHeader(CsvRecord h) {
        if (h == null) {
            return;     // empty file: no header, no rows
        }
        if (h.malformed() != null) {
            if (column.byName()) {
                columnProblem = "the header (row 1) is malformed (" + h.malformed() + "), so column '" + column.name()
                        + "' cannot be found";
            }
            return;
        }
        expectedFields = h.fieldCount();
        expectedFieldsRow = h.row();
        if (!column.byName()) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < h.fieldCount(); i++) {
            String n = h.fieldLenient(i).trim();
            names.add(n);
            if (n.equals(column.name()) && columnIndex < 0) {
                columnIndex = i;
            }
        }
        if (columnIndex < 0) {
            columnProblem = "the header (row 1) has no column named '" + column.name() + "'; its columns are " + names;
        }
    }

    private static String fields(int n) {
        return n + (n == 1 ? " field" : " fields");
    }

    private ParsedRow reject(CsvRecord r, String reason) {
        return new ParsedRow(file, r.row(), r.line(), r.offset(), -1, null, reason);
    }
}
