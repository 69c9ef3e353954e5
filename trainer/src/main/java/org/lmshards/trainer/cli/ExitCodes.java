package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;

/**
 * The exit code of {@code trainer.jar} for an exception that ends a command; the codes are
 * {@link ExitCode}'s, the project's one table.
 */
public final class ExitCodes {
    private ExitCodes() {
    }

    /**
     * Bad input only when the data is at fault: a {@link org.lmshards.core.BadInput}, or
     * bytes that were read but do not parse (a broken zip, a cut file, malformed JSON or text).
     * Any other I/O failure (a full disk, no permission, a disk error) is the environment's: 1.
     */
    static int forException(Throwable t) {
        if (t instanceof picocli.CommandLine.ParameterException) {
            return ExitCode.USAGE;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.lmshards.core.BadInput || c instanceof java.util.zip.ZipException
                    || c instanceof java.io.EOFException || c instanceof com.fasterxml.jackson.core.JsonProcessingException
                    || c instanceof java.nio.charset.CharacterCodingException) {
                return ExitCode.BAD_INPUT;
            }
        }
        return ExitCode.INTERNAL;
    }
}
