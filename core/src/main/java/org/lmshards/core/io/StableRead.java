package org.lmshards.core.io;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads several files as one consistent snapshot while a writer may replace them: the files'
 * {@link FileFingerprint} is taken before and after the read, and a read during which they
 * changed is discarded (closed) and done again, a few times, then refused. A failure of the read
 * itself is reported only if the files did not change meanwhile: a half-swapped set of files is
 * not corrupt, only caught mid-replacement.
 */
public final class StableRead {
    /** Attempts before giving up. */
    public static final int ATTEMPTS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(StableRead.class);

    private StableRead() {
    }

    /** Something that may throw {@link IOException}. */
    @FunctionalInterface
    public interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** Thrown when the files kept changing during every attempt. */
    public static final class ChangedWhileReadingException extends IOException {
        private static final long serialVersionUID = 1L;

        public ChangedWhileReadingException(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code read} until {@code fingerprint} is the same before and after it.
     *
     * @param what    what is read, for the messages ("the dataset DIR")
     * @param advice  why it may change and what to do, ending the refusal's message
     */
    public static <T> T read(IoSupplier<FileFingerprint> fingerprint, IoSupplier<T> read, String what, String advice)
            throws IOException {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            FileFingerprint before = fingerprint.get();
            T value = null;
            Exception failure = null;
            try {
                value = read.get();
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
            FileFingerprint after = fingerprint.get();
            if (before.equals(after)) {
                if (failure instanceof IOException io) {
                    throw io;
                }
                if (failure != null) {
                    throw (RuntimeException) failure;
                }
                return value;
            }
            closeQuietly(value);
            LOG.warn("{} changed while being read (attempt {} of {}){}; reading it again", what, attempt, ATTEMPTS,
                    failure == null ? "" : " and the read failed with: " + failure.getMessage());
            pause(attempt);
        }
        throw new ChangedWhileReadingException(what + " changed while being read, " + ATTEMPTS + " times in a row; "
                + advice);
    }

    private static void closeQuietly(Object value) {
        if (value instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing a discarded read", e);
            }
        }
    }

    /** Gives a writer in the middle of a two-rename swap time to finish it. */
    private static void pause(int attempt) throws IOException {
        try {
            Thread.sleep(100L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to read again");
        }
    }
}
