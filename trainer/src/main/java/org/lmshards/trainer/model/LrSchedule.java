package org.lmshards.trainer.model;

/** How the learning rate (and Adam's beta1) move over the run. */
public enum LrSchedule {
    /** {@code --lr} and beta1 fixed for the whole run. */
    CONSTANT,
    /** fastai's {@code fit_one_cycle}: see {@link org.lmshards.trainer.train.loop.OptimizerSchedule}. */
    ONE_CYCLE
}
