package org.lmshards.trainer.train.loop;

import org.lmshards.core.BadInput;

/** A dataset that does not fit the model (vocabulary) or holds ids outside its vocabulary. */
public final class DataMismatchException extends RuntimeException implements BadInput {
    private static final long serialVersionUID = 1L;

    public DataMismatchException(String message) {
        super(message);
    }
}
