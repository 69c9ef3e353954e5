package org.lmshards.trainer.train.loop;

import org.nd4j.linalg.dataset.api.DataSet;

/**
 * Language-model batches of one split as the trainer consumes them: row {@code r} of batch
 * {@code i+1} continues row {@code r} of batch {@code i} (fastai {@code LMDataLoader}
 * semantics), which is what makes carrying the LSTM state from batch to batch meaningful.
 *
 * <p>Features are token ids as floats of shape {@code [batch, 1, time]}, labels the next ids
 * with the same shape. A returned DataSet may be reused by the next call to {@link #next()}.
 */
public interface BatchSource extends AutoCloseable {
    /** Batches in one epoch. */
    long batchesPerEpoch();

    /** Positions the source at batch {@code batchIndex} of epoch {@code epoch} (0-based). */
    void seek(int epoch, long batchIndex);

    boolean hasNext();

    DataSet next();

    /** Vocabulary size of the token ids (exclusive upper bound). */
    int vocabSize();

    @Override
    void close();
}
