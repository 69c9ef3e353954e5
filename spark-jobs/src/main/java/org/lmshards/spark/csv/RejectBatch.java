package org.lmshards.spark.csv;

import java.io.Serializable;

/**
 * The rejected rows of one token block, spooled to a file by the executor that read them, so
 * that the driver holds a count and the first reject per block whatever their number.
 *
 * @param file  the spool file (rows of {@code rejects/<split>.csv}, without header); null when none
 * @param count rows in it
 * @param first the first of them in input order; null when none
 */
public record RejectBatch(String file, long count, Reject first) implements Serializable {
    public static final RejectBatch NONE = new RejectBatch(null, 0, null);
}
