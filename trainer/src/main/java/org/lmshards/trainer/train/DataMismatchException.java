package org.lmshards.trainer.train;

import org.lmshards.core.BadInputException;

/** A dataset that does not fit the model (vocabulary) or holds ids outside its vocabulary. */
public final class DataMismatchException extends RuntimeException implements BadInputException {
    private static final long serialVersionUID = 1L;

    public DataMismatchException(String message) {
        super(message);
    }
}
