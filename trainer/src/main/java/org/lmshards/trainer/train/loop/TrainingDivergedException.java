package org.lmshards.trainer.train.loop;

/** The training loss became NaN, infinite or exploded; the last good checkpoint is kept. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
