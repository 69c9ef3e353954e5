package org.lmshards.spark.csv;

import java.io.Serializable;
import java.util.Comparator;

/** A rejected input row, ordered by file (sorted input order) then row. */
public record Reject(int file, long row, long line, String reason) implements Serializable, Comparable<Reject> {
    private static final Comparator<Reject> ORDER = Comparator.comparingInt(Reject::file).thenComparingLong(Reject::row);

    @Override
    public int compareTo(Reject o) {
        return ORDER.compare(this, o);
    }
}
