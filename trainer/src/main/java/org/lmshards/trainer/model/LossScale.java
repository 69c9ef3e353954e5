package org.lmshards.trainer.model;

/** What the training loss, and so the gradient that clipping and Adam's epsilon see, is normalised by. */
public enum LossScale {
    /** Mean cross-entropy over all tokens of the batch, as PyTorch's and fastai's {@code CrossEntropyLoss}. */
    TOKEN_MEAN,
    /**
     * DL4J's {@code RnnOutputLayer} default: summed over time steps and divided by the batch rows,
     * so {@code seq_len} times the token mean (the trainer's behaviour before 0.3).
     */
    SEQUENCE_SUM
}
