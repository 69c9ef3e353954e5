package org.lmshards.spark.csv;

import java.io.Serializable;

/**
 * A piece of an input file that one task reads: the whole file, or for a large file a range
 * between two record boundaries found by {@link ScanTask}. Units are ordered by file, then
 * start, which is document order.
 *
 * @param file       index of the file in the split's sorted list
 * @param start      file offset of the unit's first byte (a record boundary)
 * @param length     bytes in the unit; {@link Long#MAX_VALUE} for "to the end of the file"
 * @param rowsBefore records of the file before the unit (for 1-based row numbers)
 * @param line       the line at {@code start}
 */
public record InputUnit(int file, long start, long length, long rowsBefore, long line) implements Serializable {
    public static InputUnit wholeFile(int file) {
        return new InputUnit(file, 0, Long.MAX_VALUE, 0, 1);
    }
}
