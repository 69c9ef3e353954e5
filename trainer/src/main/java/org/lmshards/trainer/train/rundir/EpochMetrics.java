package org.lmshards.trainer.train.rundir;

/**
 * One line of {@code RUN_DIR/metrics.jsonl} (snake_case in JSON).
 *
 * @param epoch           1-based epoch number
 * @param trainLoss       mean per-token cross-entropy (nats) over the epoch's training batches, with dropout
 * @param validLoss       mean per-token cross-entropy on the valid split, or null without one
 * @param validPerplexity exp(validLoss), or null
 * @param tokensPerS      training tokens per second over the epoch
 * @param seconds         wall-clock seconds of the epoch's training (valid pass excluded)
 */
public record EpochMetrics(int epoch, double trainLoss, Double validLoss, Double validPerplexity,
                           double tokensPerS, double seconds) {
}
