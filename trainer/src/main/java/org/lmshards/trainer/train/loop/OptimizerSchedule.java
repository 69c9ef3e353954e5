package org.lmshards.trainer.train.loop;

import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LrSchedule;
import org.lmshards.trainer.model.OptimizerSettings;

/**
 * The learning rate and Adam beta1 of every training step, for either {@link LrSchedule}:
 * constant, or fastai's {@code fit_one_cycle}. One cycle over {@code totalSteps}: for the first
 * {@code pctStart} of the steps the learning rate rises from {@code lr/divFactor} to {@code lr}
 * and beta1 falls from 0.95 to 0.85 (cosine annealing), then the learning rate falls to
 * {@code lr/finalDivFactor} and beta1 rises back to 0.95 (cosine again): fastai's
 * {@code combined_cos}.
 *
 * <p>Both are pure functions of the step, so a resumed run gets the same values as an
 * uninterrupted one without storing anything but the step.
 */
public final class OptimizerSchedule {
    private final LmHyperParams hp;
    private final long totalSteps;

    /** @param totalSteps training steps of the whole run (epochs x batches per epoch) */
    public OptimizerSchedule(LmHyperParams hp, long totalSteps) {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("a schedule needs at least one step, got " + totalSteps);
        }
        this.hp = hp;
        this.totalSteps = totalSteps;
    }

    /** Learning rate of 0-based step {@code step}. */
    public double lr(long step) {
        OptimizerSettings o = hp.optimizer();
        if (o.schedule() == LrSchedule.CONSTANT) {
            return hp.lr();
        }
        double max = hp.lr();
        return phase(step, max / o.divFactor(), max, max / o.finalDivFactor());
    }

    /** Adam beta1 of 0-based step {@code step}. */
    public double beta1(long step) {
        OptimizerSettings o = hp.optimizer();
        if (o.schedule() == LrSchedule.CONSTANT) {
            return o.beta1();
        }
        return phase(step, OptimizerSettings.CYCLE_BETA1_HIGH, OptimizerSettings.CYCLE_BETA1_LOW,
                OptimizerSettings.CYCLE_BETA1_HIGH);
    }

    /** {@code start -> middle} over the warm-up share of the steps, then {@code middle -> end}, cosine-shaped. */
    private double phase(long step, double start, double middle, double end) {
        double pos = Math.min(1.0, Math.max(0.0, (double) step / totalSteps));
        double split = hp.optimizer().pctStart();
        if (pos < split) {
            return cos(start, middle, pos / split);
        }
        return cos(middle, end, split >= 1 ? 1 : (pos - split) / (1 - split));
    }

    /** fastai's {@code SchedCos}: from {@code a} at 0 to {@code b} at 1. */
    static double cos(double a, double b, double pct) {
        return a + (b - a) * (1 - Math.cos(Math.PI * pct)) / 2;
    }
}
