package org.lmshards.trainer.train.loop;

import org.lmshards.trainer.data.LmStreamIterator;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * {@link BatchSource} over the memory-mapped {@link LmStreamIterator}. Each batch's largest id
 * is checked against the vocabulary, so a shard holding out-of-range ids is refused with the
 * split and batch named instead of crashing the embedding lookup.
 */
public final class IteratorBatchSource implements BatchSource {
    private final LmStreamIterator iterator;
    private final String name;
    private final int vocabSize;

    public IteratorBatchSource(LmStreamIterator iterator, String name, int vocabSize) {
        this.iterator = iterator;
        this.name = name;
        this.vocabSize = vocabSize;
    }

    @Override
    public long batchesPerEpoch() {
        return iterator.batchesPerEpoch();
    }

    @Override
    public void seek(int epoch, long batchIndex) {
        iterator.seek(epoch, batchIndex);
    }

    @Override
    public boolean hasNext() {
        return iterator.hasNext();
    }

    @Override
    public DataSet next() {
        long index = iterator.batchIndex();
        DataSet ds = iterator.next();
        double max = Math.max(ds.getFeatures().maxNumber().doubleValue(), ds.getLabels().maxNumber().doubleValue());
        double min = Math.min(ds.getFeatures().minNumber().doubleValue(), ds.getLabels().minNumber().doubleValue());
        if (max >= vocabSize || min < 0) {
            throw new DataMismatchException(name + ": batch " + index + " of epoch " + (iterator.epoch() + 1)
                    + " holds token id " + (long) (max >= vocabSize ? max : min) + " outside the vocabulary of size "
                    + vocabSize + " (corrupt shard? run `verify --data`)");
        }
        return ds;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public void close() {
        iterator.close();
    }
}
