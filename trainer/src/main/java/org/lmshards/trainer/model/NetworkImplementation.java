package org.lmshards.trainer.model;

import java.util.Locale;

/**
 * How a {@link StatefulLmNetwork} computes, as opposed to what: the code its LSTM layers train
 * with and, for the ablation in docs/MODEL.md only, DL4J's own backward pass (with the TBPTT
 * gradient bug that {@link StatefulLmNetwork} fixes). Results are the same up to rounding for every
 * LSTM choice; only speed differs.
 *
 * @param lstm         which LSTM code ({@link LayerSwap} applies it)
 * @param dl4jBackprop DL4J 1.0.0-M2.1's backward pass instead of the fixed one
 */
public record NetworkImplementation(LstmImplementation lstm, boolean dl4jBackprop) {
    /** What the trainer uses. */
    public static final NetworkImplementation DEFAULT = new NetworkImplementation(LstmImplementation.AUTO, false);

    /** System property choosing the LSTM code for benchmarks run through trainer.jar: auto, fused, cached-forward, dl4j. */
    public static final String LSTM_PROPERTY = "lmshards.lstm";
    /** System property switching DL4J's backward pass back on, for the ablation. */
    public static final String DL4J_BACKPROP_PROPERTY = "lmshards.ablation.dl4jBackprop";

    /**
     * The default, or what {@code -Dlmshards.lstm=...} and {@code -Dlmshards.ablation.dl4jBackprop=true}
     * ask for: benchmarks and ablations run the unchanged trainer.jar with one of these.
     */
    public static NetworkImplementation fromSystemProperties() {
        String lstm = System.getProperty(LSTM_PROPERTY, "auto").trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return new NetworkImplementation(LstmImplementation.valueOf(lstm), Boolean.getBoolean(DL4J_BACKPROP_PROPERTY));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + LSTM_PROPERTY + " must be auto, fused, cached-forward or dl4j, got '"
                    + System.getProperty(LSTM_PROPERTY) + "'", e);
        }
    }
}
