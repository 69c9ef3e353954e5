package org.lmshards.trainer.model;

/** What the gradient-norm threshold {@code --clip} applies to. */
public enum ClipScope {
    /** The norm of all gradients together, as PyTorch's {@code clip_grad_norm_} and fastai's {@code GradientClip}. */
    GLOBAL,
    /** Each layer's gradient separately (DL4J's {@code ClipL2PerLayer}; the trainer's behaviour before 0.3). */
    LAYER
}
