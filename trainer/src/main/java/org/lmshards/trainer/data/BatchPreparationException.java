package org.lmshards.trainer.data;

/** A background worker failed while preparing a batch; the cause is the worker's exception. */
public final class BatchPreparationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BatchPreparationException(String message, Throwable cause) {
        super(message, cause);
    }
}
