package org.lmshards.trainer.train.rundir;

/**
 * Where a fine-tuned run's weights came from, recorded in its {@code config.json}: the
 * pretrained run and how its vocabulary was mapped onto this run's (fastai's
 * {@code match_embeds}: rows copied by token string, new tokens set to the mean row).
 *
 * @param run         the pretrained run directory
 * @param sourceVocab tokens in the pretrained vocabulary
 * @param copied      tokens of this run's vocabulary found in the pretrained one (rows copied)
 * @param added       tokens new to the pretrained model (rows set to the mean)
 */
public record InitFrom(String run, int sourceVocab, int copied, int added) {
}
