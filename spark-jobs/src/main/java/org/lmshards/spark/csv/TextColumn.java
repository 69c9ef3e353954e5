package org.lmshards.spark.csv;

import java.io.Serializable;

/** The {@code --text-column}: a 0-based index, or a header name (needs {@code --header}). */
public record TextColumn(int index, String name) implements Serializable {
    public static TextColumn parse(String spec) {
        String s = spec.trim();
        if (s.matches("\\d{1,9}")) {
            return new TextColumn(Integer.parseInt(s), null);
        }
        if (s.matches("-\\d+")) {
            throw new IllegalArgumentException("--text-column " + s + ": a column index is 0 or more (0 is the first column)");
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("--text-column must be a column index or a header name");
        }
        return new TextColumn(-1, s);
    }

    public boolean byName() {
        return name != null;
    }

    @Override
    public String toString() {
        return byName() ? name : Integer.toString(index);
    }
}
