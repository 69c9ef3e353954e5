package org.lmshards.trainer.train;

import java.util.List;

/**
 * Where a run stands, saved in every checkpoint next to the parameters and optimizer state.
 *
 * @param epoch          0-based epoch to continue
 * @param batchIndex     next batch of that epoch (0 = the epoch has not started)
 * @param globalStep     training batches done so far in the whole run; also the dropout RNG position
 * @param iterationCount DL4J's iteration counter (Adam's bias correction depends on it)
 * @param epochCount     DL4J's epoch counter
 * @param epochLossSum   summed token losses of the current epoch so far
 * @param epochTokens    tokens of the current epoch so far
 * @param epochSeconds   training seconds of the current epoch so far
 * @param metrics        completed epochs
 */
public record TrainState(int epoch, long batchIndex, long globalStep, int iterationCount, int epochCount,
                         double epochLossSum, long epochTokens, double epochSeconds, List<EpochMetrics> metrics) {
    public TrainState {
        metrics = List.copyOf(metrics);
    }

    /** A run that has not trained yet. */
    public static TrainState start() {
        return new TrainState(0, 0, 0, 0, 0, 0, 0, 0, List.of());
    }
}
