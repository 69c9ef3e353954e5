/**
 * The training loop ({@link org.lmshards.trainer.train.loop.Trainer}) and what it runs on: the
 * batch sources, the learning-rate schedule, evaluation, lr-find, and the ways a run ends early
 * (stop request, divergence, out of memory). It writes through
 * {@link org.lmshards.trainer.train.rundir} and reports through
 * {@link org.lmshards.trainer.train.console}; neither depends on it.
 */
package org.lmshards.trainer.train.loop;
