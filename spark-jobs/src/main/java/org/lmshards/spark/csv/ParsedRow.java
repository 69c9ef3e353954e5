package org.lmshards.spark.csv;

import java.io.Serializable;

/**
 * One data row of an input file after parsing: either accepted text with its ordinal among the
 * file's accepted rows (which, with the file's index in sorted order, fixes its global document
 * number), or a rejection.
 *
 * @param unit    index of the read unit ({@link InputUnit}) the row comes from; units are in document order
 * @param row     1-based record number in the file (the header, if any, is record 1)
 * @param line    1-based line where the record starts
 * @param offset  file offset of the record's first byte (orders rows of a file; see {@code RowRangePartitioner})
 * @param ordinal 0-based number among the file's accepted rows; -1 for a rejection
 * @param text    the document text, null for a rejection
 * @param reject  why the row was rejected, null when accepted
 */
public record ParsedRow(int unit, long row, long line, long offset, long ordinal, String text, String reject) implements Serializable {
    public boolean accepted() {
        return reject == null;
    }
}
