package org.lmshards.trainer.train.loop;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link BatchSource} over an in-memory token stream, for tests and small tools: the stream
 * is cut into {@code batch} contiguous rows and each batch takes the next {@code seqLen}
 * positions of every row (the last batch may be shorter), like fastai's {@code LMDataLoader}
 * without shuffling. Every epoch yields the same batches.
 */
public final class ArrayBatchSource implements BatchSource {
    private final int[] tokens;
    private final int batch;
    private final int seqLen;
    private final int vocabSize;
    private final long rowLength;
    private long next;

    public ArrayBatchSource(int[] tokens, int batch, int seqLen, int vocabSize) {
        if (batch < 1 || seqLen < 1) {
            throw new IllegalArgumentException("batch and seqLen must be positive");
        }
        this.rowLength = (tokens.length - 1) / batch;
        if (rowLength < 1) {
            throw new IllegalArgumentException("a stream of " + tokens.length + " tokens is too short for " + batch + " rows");
        }
        for (int t : tokens) {
            if (t < 0 || t >= vocabSize) {
                throw new IllegalArgumentException("token id " + t + " outside vocabulary of size " + vocabSize);
            }
        }
        this.tokens = tokens.clone();
        this.batch = batch;
        this.seqLen = seqLen;
        this.vocabSize = vocabSize;
    }

    @Override
    public long batchesPerEpoch() {
        return (rowLength + seqLen - 1) / seqLen;
    }

    @Override
    public void seek(int epoch, long batchIndex) {
        if (batchIndex < 0 || batchIndex > batchesPerEpoch()) {
            throw new IllegalArgumentException("batch index " + batchIndex + " outside 0.." + batchesPerEpoch());
        }
        next = batchIndex;
    }

    @Override
    public boolean hasNext() {
        return next < batchesPerEpoch();
    }

    @Override
    public org.nd4j.linalg.dataset.api.DataSet next() {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException();
        }
        long start = next * seqLen;
        int len = (int) Math.min(seqLen, rowLength - start);
        float[] f = new float[batch * len];
        float[] l = new float[batch * len];
        for (int r = 0; r < batch; r++) {
            long base = r * rowLength + start;
            for (int t = 0; t < len; t++) {
                f[r * len + t] = tokens[(int) (base + t)];
                l[r * len + t] = tokens[(int) (base + t + 1)];
            }
        }
        next++;
        INDArray features = Nd4j.create(f, new long[] {batch, 1, len}, 'c');
        INDArray labels = Nd4j.create(l, new long[] {batch, 1, len}, 'c');
        return new DataSet(features, labels);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public void close() {
    }
}
