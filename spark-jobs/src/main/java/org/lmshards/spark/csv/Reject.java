package org.lmshards.spark.csv;

import java.io.Serializable;
import java.util.Comparator;

/** A rejected input row of read unit {@code unit} ({@link InputUnit}), ordered by unit (sorted input order) then row. */
public record Reject(int unit, long row, long line, String reason) implements Serializable, Comparable<Reject> {
    private static final Comparator<Reject> ORDER = Comparator.comparingInt(Reject::unit).thenComparingLong(Reject::row);

    @Override
    public int compareTo(Reject o) {
        return ORDER.compare(this, o);
    }
}
