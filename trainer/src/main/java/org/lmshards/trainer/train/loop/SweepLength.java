package org.lmshards.trainer.train.loop;

/**
 * How many batches {@code lr-find --iterations auto} sweeps: one epoch of the train split, but at
 * least {@link #MIN} and at most {@link #MAX} batches.
 *
 * <p>Why not fastai's fixed 100: the loss can only fall once the model has taken enough Adam steps
 * at a useful rate, and the smoothed loss (moving average 0.98) trails the raw loss by about 50
 * batches. Over 100 batches and eight decades of learning rate that lag alone is four decades,
 * and on the README's small model the curve stayed flat until lr 1 (docs/MODEL.md, "lr-find").
 * One epoch sizes the sweep by the data; the floor keeps small corpora or large batches long
 * enough to show the fall, the ceiling keeps a large corpus's sweep to minutes.
 */
public final class SweepLength {
    /** The fewest batches {@code auto} sweeps: below this the small model's curve showed no fall. */
    public static final int MIN = 300;
    /** The most batches {@code auto} sweeps: the smoothing then trails by under half a decade. */
    public static final int MAX = 1000;

    private SweepLength() {
    }

    /** The sweep's length in batches for a train split of {@code batchesPerEpoch} batches. */
    public static int auto(long batchesPerEpoch) {
        return (int) Math.max(MIN, Math.min(MAX, batchesPerEpoch));
    }
}
