package org.lmshards.trainer.model;

/**
 * Which code trains a network's LSTM layers; {@link LayerSwap} applies the choice when the
 * network initialises. Parameters, configuration and saved models are the same for all four.
 */
public enum LstmImplementation {
    /**
     * The default: {@link #CACHED_FORWARD} at every size. It beat {@link #FUSED} at every size
     * measured once its per-step views and ops were cut (1.3x at hidden 128, 2-2.6x at 256; the
     * fused op's backward scales worst: docs/BENCHMARKS.md).
     */
    AUTO,
    /** {@link FusedLstmLayer}: one libnd4j {@code lstmLayer} call a segment each way. */
    FUSED,
    /** {@link CachedForwardLstmLayer}: forward activations kept for backprop, whole-segment products. */
    CACHED_FORWARD,
    /** DL4J 1.0.0-M2.1's own LSTM, for comparisons. */
    DL4J
}
