package org.lmshards.trainer.data;

import org.lmshards.core.BadInput;

/** The split holds too few tokens for the requested batch size (and sequence length with drop-last). */
public final class SplitTooSmallException extends IllegalArgumentException implements BadInput {
    private static final long serialVersionUID = 1L;

    public SplitTooSmallException(String message) {
        super(message);
    }
}
