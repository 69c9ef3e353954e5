package org.lmshards.trainer.train.loop;

/** A batch did not fit in memory; the message suggests smaller settings. */
public final class TrainingOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingOutOfMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
