package org.lmshards.trainer.train.rundir;

import java.util.List;

/**
 * Where a run stands, saved in every checkpoint next to the parameters and optimizer state.
 * The loop moves it on with the named steps below rather than rebuilding all nine fields.
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

    /** The start of 0-based {@code epoch}: no batch, loss, token or second of it counted yet; the step carries on. */
    public TrainState startingEpoch(int epoch) {
        return new TrainState(epoch, 0, globalStep, iterationCount, epochCount, 0, 0, 0, metrics);
    }

    /** One more batch trained: the next batch and step, its summed token losses and tokens added. */
    public TrainState afterBatch(double batchLossSum, long batchTokens) {
        return new TrainState(epoch, batchIndex + 1, globalStep + 1, iterationCount, epochCount,
                epochLossSum + batchLossSum, epochTokens + batchTokens, epochSeconds, metrics);
    }

    /** With the epoch's training seconds so far. */
    public TrainState withEpochSeconds(double seconds) {
        return new TrainState(epoch, batchIndex, globalStep, iterationCount, epochCount, epochLossSum, epochTokens,
                seconds, metrics);
    }

    /** With DL4J's iteration and epoch counters, as the network holds them now. */
    public TrainState withCounters(int iterations, int epochs) {
        return new TrainState(epoch, batchIndex, globalStep, iterations, epochs, epochLossSum, epochTokens,
                epochSeconds, metrics);
    }

    /** With the completed epochs' metrics. */
    public TrainState withMetrics(List<EpochMetrics> completed) {
        return new TrainState(epoch, batchIndex, globalStep, iterationCount, epochCount, epochLossSum, epochTokens,
                epochSeconds, completed);
    }
}
