package org.lmshards.trainer.model;

/**
 * Initialisation, loss scaling, clipping, Adam and learning-rate schedule of a run: the choices
 * that decide how much a model learns per step (docs/MODEL.md, "Training recipe", measures each).
 *
 * @param init           parameter initialisation
 * @param clipScope      what {@code clip} bounds: the global gradient norm or each layer's
 * @param lossScale      how the training loss is normalised (token mean, or DL4J's sum over time / rows)
 * @param beta1          Adam's beta1 with a constant schedule (one-cycle cycles it between
 *                       {@link #CYCLE_BETA1_HIGH} and {@link #CYCLE_BETA1_LOW}, as fastai)
 * @param beta2          Adam's beta2
 * @param eps            Adam's epsilon
 * @param schedule       learning-rate schedule
 * @param pctStart       one-cycle: share of the steps spent warming up
 * @param divFactor      one-cycle: the warm-up starts at {@code lr / divFactor}
 * @param finalDivFactor one-cycle: the run ends at {@code lr / finalDivFactor}
 * @param forgetBias     LSTM forget-gate bias at initialisation; null = the scheme's own draw
 */
public record OptimizerSettings(InitScheme init, ClipScope clipScope, LossScale lossScale,
                                double beta1, double beta2, double eps,
                                LrSchedule schedule, double pctStart, double divFactor, double finalDivFactor,
                                Double forgetBias) {
    /** fastai's one-cycle momentum range ({@code moms=(0.95, 0.85, 0.95)}). */
    public static final double CYCLE_BETA1_HIGH = 0.95, CYCLE_BETA1_LOW = 0.85;

    /** The defaults: fastai's initialisation and Adam, PyTorch's token-mean loss and global clipping. */
    public static final OptimizerSettings DEFAULTS = new OptimizerSettings(InitScheme.FASTAI, ClipScope.GLOBAL,
            LossScale.TOKEN_MEAN, 0.9, 0.99, 1e-5, LrSchedule.CONSTANT, 0.25, 25, 1e5, null);

    /** What runs written before these settings existed did (their config.json has none). */
    public static final OptimizerSettings BEFORE_0_3 = new OptimizerSettings(InitScheme.XAVIER, ClipScope.LAYER,
            LossScale.SEQUENCE_SUM, 0.9, 0.99, 1e-5, LrSchedule.CONSTANT, 0.25, 25, 1e5, null);

    public OptimizerSettings {
        if (init == null || clipScope == null || lossScale == null || schedule == null) {
            throw new IllegalArgumentException("init, clip scope, loss scale and schedule must be set");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("need 0 <= beta1, beta2 < 1 and eps > 0: beta1=" + beta1 + " beta2=" + beta2
                    + " eps=" + eps);
        }
        if (!(pctStart >= 0 && pctStart < 1) || !(divFactor >= 1) || !(finalDivFactor >= 1)) {
            throw new IllegalArgumentException("one-cycle needs 0 <= pct-start < 1, div >= 1 and final-div >= 1: pct-start="
                    + pctStart + " div=" + divFactor + " final-div=" + finalDivFactor);
        }
    }

    public OptimizerSettings withInit(InitScheme v) {
        return new OptimizerSettings(v, clipScope, lossScale, beta1, beta2, eps, schedule, pctStart, divFactor, finalDivFactor, forgetBias);
    }

    public OptimizerSettings withClipScope(ClipScope v) {
        return new OptimizerSettings(init, v, lossScale, beta1, beta2, eps, schedule, pctStart, divFactor, finalDivFactor, forgetBias);
    }

    public OptimizerSettings withLossScale(LossScale v) {
        return new OptimizerSettings(init, clipScope, v, beta1, beta2, eps, schedule, pctStart, divFactor, finalDivFactor, forgetBias);
    }

    public OptimizerSettings withAdam(double b1, double b2, double e) {
        return new OptimizerSettings(init, clipScope, lossScale, b1, b2, e, schedule, pctStart, divFactor, finalDivFactor, forgetBias);
    }

    public OptimizerSettings withSchedule(LrSchedule v) {
        return new OptimizerSettings(init, clipScope, lossScale, beta1, beta2, eps, v, pctStart, divFactor, finalDivFactor, forgetBias);
    }

    public OptimizerSettings withForgetBias(Double v) {
        return new OptimizerSettings(init, clipScope, lossScale, beta1, beta2, eps, schedule, pctStart, divFactor, finalDivFactor, v);
    }
}
