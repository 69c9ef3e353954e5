package org.lmshards.trainer.train.rundir;

import org.lmshards.trainer.model.LmHyperParams;

/**
 * Everything that determines a training run (saved as {@code RUN_DIR/config.json}).
 *
 * @param model              network shape, regularisation, optimiser and seed
 * @param batchSize          rows per batch (fastai {@code bs})
 * @param seqLen             time steps per batch and truncated-BPTT length
 * @param epochs             epochs to train in total
 * @param workers            iterator worker threads (0 = synchronous)
 * @param checkpointMinutes  also checkpoint mid-epoch after this many minutes (0 = only at epoch ends)
 * @param checkpointBatches  also checkpoint mid-epoch every this many batches (0 = off)
 * @param data               dataset directory, for the record
 * @param shuffle            shuffle the train split's documents every epoch (fastai); null = true
 * @param freezeEpochs       the first this many epochs train only the embedding and output layer
 *                           (fastai's frozen language model); null (older config.json) = 0
 * @param initFrom           the pretrained run the weights started from; null = from scratch
 */
public record TrainSettings(LmHyperParams model, int batchSize, int seqLen, int epochs, int workers,
                            double checkpointMinutes, int checkpointBatches, String data, Boolean shuffle,
                            Integer freezeEpochs, InitFrom initFrom) {
    /** Settings that shuffle the train split, as fastai does. */
    public TrainSettings(LmHyperParams model, int batchSize, int seqLen, int epochs, int workers,
                         double checkpointMinutes, int checkpointBatches, String data) {
        this(model, batchSize, seqLen, epochs, workers, checkpointMinutes, checkpointBatches, data, true);
    }

    /** A run from scratch, nothing frozen. */
    public TrainSettings(LmHyperParams model, int batchSize, int seqLen, int epochs, int workers,
                         double checkpointMinutes, int checkpointBatches, String data, Boolean shuffle) {
        this(model, batchSize, seqLen, epochs, workers, checkpointMinutes, checkpointBatches, data, shuffle, 0, null);
    }

    public TrainSettings {
        if (shuffle == null) {
            shuffle = true;
        }
        if (freezeEpochs == null) {
            freezeEpochs = 0;
        }
        if (batchSize < 1 || seqLen < 1 || epochs < 1 || workers < 0 || checkpointMinutes < 0 || checkpointBatches < 0) {
            throw new IllegalArgumentException("need bs >= 1, seq-len >= 1, epochs >= 1, workers >= 0 and"
                    + " non-negative checkpoint intervals: bs=" + batchSize + " seq-len=" + seqLen + " epochs=" + epochs
                    + " workers=" + workers);
        }
        if (freezeEpochs < 0) {
            throw new IllegalArgumentException("need freeze-epochs >= 0, got " + freezeEpochs);
        }
    }

    public TrainSettings withEpochs(int newEpochs) {
        return new TrainSettings(model, batchSize, seqLen, newEpochs, workers, checkpointMinutes, checkpointBatches, data,
                shuffle, freezeEpochs, initFrom);
    }

    /** The same settings starting from a pretrained run and freezing its first {@code frozen} epochs. */
    public TrainSettings withFineTuning(int frozen, InitFrom from) {
        return new TrainSettings(model, batchSize, seqLen, epochs, workers, checkpointMinutes, checkpointBatches, data,
                shuffle, frozen, from);
    }

    /** Whether epoch {@code epoch} (0-based) trains only the embedding and output layer. */
    public boolean frozen(int epoch) {
        return epoch < freezeEpochs;
    }
}
