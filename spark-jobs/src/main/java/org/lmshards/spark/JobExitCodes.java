package org.lmshards.spark;

import org.lmshards.core.ExitCode;
import org.lmshards.spark.support.UsageError;
import org.lmshards.core.BadInput;
import picocli.CommandLine;

/**
 * The exit code of {@code PreprocessJob} for an exception that ends it; the codes are
 * {@link ExitCode}'s, the project's one table (docs/SPARK.md lists the job's causes).
 */
public final class JobExitCodes {
    private JobExitCodes() {
    }

    /** The exit code for an exception escaping the job; Spark wraps task failures, so the causes are searched. */
    public static int forException(Throwable t) {
        if (t instanceof CommandLine.ParameterException) {
            return ExitCode.USAGE;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadInput) {
                return ExitCode.BAD_INPUT;
            }
            if (c instanceof UsageError) {
                return ExitCode.USAGE;
            }
        }
        return ExitCode.INTERNAL;
    }
}
