/**
 * The run directory: its files and their formats ({@code config.json} as
 * {@link org.lmshards.trainer.train.rundir.TrainSettings}, the checkpoint with its
 * {@link org.lmshards.trainer.train.rundir.TrainState}, the JSON-lines logs), crash-safe writes,
 * the lock, the marker that makes a directory a run, and whether a train starts, resumes or
 * finds the run complete ({@link org.lmshards.trainer.train.rundir.ResumePlan}). Knows nothing of
 * the loop, so the records the loop saves live here.
 */
package org.lmshards.trainer.train.rundir;
