package org.lmshards.trainer.model;

/**
 * Which code trains a network's LSTM layers; {@link LayerSwap} applies the choice when the
 * network initialises. Parameters, configuration and saved models are the same for all four.
 */
public enum LstmImplementation {
    /** By layer size: {@link #FUSED} up to {@link LayerSwap#MAX_FUSED_WEIGHTS} weights, {@link #CACHED_FORWARD} above. */
    AUTO,
    /** {@link FusedLstmLayer}: one libnd4j {@code lstmLayer} call a segment each way. */
    FUSED,
    /** {@link CachedForwardLstmLayer}: forward activations kept for backprop, whole-segment products. */
    CACHED_FORWARD,
    /** DL4J 1.0.0-M2.1's own LSTM, for comparisons. */
    DL4J
}
