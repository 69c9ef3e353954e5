package org.lmshards.spark.support;

/** A contradiction between options that picocli cannot express (e.g. a column name without --header); exit code 2. */
public final class UsageError extends RuntimeException {
    public UsageError(String message) {
        super(message);
    }
}
