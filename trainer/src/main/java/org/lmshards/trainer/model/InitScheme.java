package org.lmshards.trainer.model;

/**
 * How the network's parameters are drawn before training (the output bias is set to the
 * unigram log-frequencies afterwards in every scheme). {@code k = 1/sqrt(out)} below is
 * PyTorch's {@code nn.LSTM} bound for a layer of {@code out} units.
 */
public enum InitScheme {
    /**
     * fastai's AWD-LSTM: embedding U(-0.1, 0.1); LSTM weights U(-k, k) and biases the sum of
     * two U(-k, k) draws (PyTorch's {@code bias_ih + bias_hh}); output weights U(-0.1, 0.1).
     */
    FASTAI,
    /**
     * PyTorch's module defaults: embedding N(0, 1); LSTM as {@link #FASTAI}; output weights
     * U(-1/sqrt(emb), 1/sqrt(emb)) ({@code nn.Linear}).
     */
    PYTORCH,
    /** DL4J's Xavier for every weight matrix, zero biases and a forget-gate bias of 1 (before 0.3). */
    XAVIER
}
