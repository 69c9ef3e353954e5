package org.lmshards.cli;

/**
 * Process exit codes of {@code trainer.jar}, documented in the README.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Internal failure: a bug or an environment problem (not the user's input). */
    public static final int INTERNAL = 1;
    /** Bad command line (unknown option, missing argument). */
    public static final int USAGE = 2;
    /** Bad input data: a malformed, corrupt or mismatched dataset, model or file. */
    public static final int BAD_INPUT = 3;

    private ExitCodes() {
    }

    /**
     * Bad input only when the data is at fault: a {@link org.lmshards.core.BadInputException}, or
     * bytes that were read but do not parse (a broken zip, a cut file, malformed JSON or text).
     * Any other I/O failure (a full disk, no permission, a disk error) is the environment's: 1.
     */
    static int forException(Throwable t) {
        if (t instanceof picocli.CommandLine.ParameterException) {
            return USAGE;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.lmshards.core.BadInputException || c instanceof java.util.zip.ZipException
                    || c instanceof java.io.EOFException || c instanceof com.fasterxml.jackson.core.JsonProcessingException
                    || c instanceof java.nio.charset.CharacterCodingException) {
                return BAD_INPUT;
            }
        }
        return INTERNAL;
    }
}
