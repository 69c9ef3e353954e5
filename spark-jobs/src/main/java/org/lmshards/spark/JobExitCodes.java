package org.lmshards.spark;

import org.lmshards.core.BadInputException;
import picocli.CommandLine;

/**
 * Exit codes of {@code PreprocessJob}, documented in docs/SPARK.md; the same values as the
 * {@code trainer.jar} codes so that one workflow can branch on both.
 */
public final class JobExitCodes {
    /** Dataset written, or the output already held it (cache hit). */
    public static final int OK = 0;
    /** Internal or environment failure (a bug, a full disk, a lost cluster, an output held by another job). */
    public static final int INTERNAL = 1;
    /** Bad command line. */
    public static final int USAGE = 2;
    /** Bad input data: missing or empty input, malformed rows with --on-bad-row fail, unknown column. */
    public static final int BAD_INPUT = 3;

    private JobExitCodes() {
    }

    /** The exit code for an exception escaping the job; Spark wraps task failures, so the causes are searched. */
    public static int forException(Throwable t) {
        if (t instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadInputException) {
                return BAD_INPUT;
            }
            if (c instanceof UsageError) {
                return USAGE;
            }
        }
        return INTERNAL;
    }

    /** A contradiction between options that picocli cannot express (e.g. a column name without --header). */
    public static final class UsageError extends RuntimeException {
        public UsageError(String message) {
            super(message);
        }
    }
}
