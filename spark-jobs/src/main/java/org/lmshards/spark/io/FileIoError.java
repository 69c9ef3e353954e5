package org.lmshards.spark.io;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An I/O failure on a named file, thrown where the job knows the file (and offset) so that the
 * one-line error the user sees names it; Spark's own wrapping ("Job aborted due to stage
 * failure ...") does not. An environment failure: exit code 1.
 */
public final class FileIoError extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    /** @param what what failed, e.g. "read failed at byte 1048576 (after row 812)" */
    public FileIoError(String file, String what, IOException cause) {
        super(file + ": " + what + ": " + cause.getMessage(), cause);
    }

    /** Wraps the cause of an {@link UncheckedIOException}, or any other throwable, as an {@link IOException}. */
    public static IOException ioCause(Throwable t) {
        if (t instanceof UncheckedIOException u) {
            return u.getCause();
        }
        return t instanceof IOException io ? io : new IOException(t.getMessage() == null ? t.toString() : t.getMessage(), t);
    }
}
