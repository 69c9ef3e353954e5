package org.lmshards.trainer.data;

import java.util.List;
import java.util.NoSuchElementException;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.TokenStore;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Language-model batches streamed from a memory-mapped split with the semantics of fastai's
 * {@code LMDataLoader} (see {@link BatchGeometry}): row {@code j} of batch {@code i+1} continues
 * row {@code j} of batch {@code i}, so recurrent state carries over from batch to batch.
 *
 * <p>Shuffled splits (by default only {@code train}) read each epoch's documents in a fresh
 * permutation that depends only on the seed and the epoch number; the permuted stream is
 * virtual (O(documents) memory), no token is copied out of the mapping except into the batch.
 *
 * <p>{@link #next()} returns features and labels as float ids shaped {@code [bs, 1, len]}; the
 * returned {@link DataSet} and its arrays are reused and valid only until the next call.
 * With {@code workers > 0}, background threads fill the next batches ahead (same batches, same
 * order); {@link #close()} stops them. The iterator does not close the store.
 *
 * <p>{@link #reset()} starts the next epoch, it does not rewind: {@link #seek} positions anywhere.
 */
public final class LmStreamIterator implements DataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;
    /** Largest id a float holds exactly. */
    private static final int MAX_EXACT_FLOAT_ID = 1 << 24;

    private final transient TokenSource source;
    private final int vocabSize;
    private final BatchGeometry geometry;
    private final boolean shuffle;
    private final long seed;
    private final int workers;
    private final transient EpochStream stream;
    private final transient BatchFiller filler;
    private final transient BatchBuffers syncBuffers;
    private final transient PrefetchPipeline pipeline;
    private transient NdBatch fullBatch;
    private transient NdBatch lastBatch;
    private transient DataSetPreProcessor preProcessor;

    private int epoch;
    private long batchIndex;
    private boolean closed;

    private LmStreamIterator(Builder b, TokenSource source, int vocabSize) {
        this.source = source;
        this.vocabSize = vocabSize;
        if (vocabSize > MAX_EXACT_FLOAT_ID) {
            throw new IllegalArgumentException(source.name() + ": vocabulary of " + vocabSize
                    + " ids is too large for float ids (at most " + MAX_EXACT_FLOAT_ID + ")");
        }
        if (b.workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0, got " + b.workers);
        }
        this.geometry = BatchGeometry.of(source.name(), source.size(), b.batchSize, b.seqLen, b.dropLast);
        this.shuffle = b.shuffle != null ? b.shuffle : b.splitIsTrain;
        this.seed = b.seed;
        this.workers = b.workers;
        this.stream = new EpochStream(source, shuffle, seed);
        this.filler = new BatchFiller(stream, geometry);
        stream.prepare(0);
        if (workers == 0) {
            syncBuffers = new BatchBuffers(b.batchSize, b.seqLen);
            pipeline = null;
        } else {
            int slots = b.queueSize > 0 ? b.queueSize : 2 * workers;
            syncBuffers = null;
            pipeline = new PrefetchPipeline(filler, workers, Math.max(slots, workers), b.batchSize, b.seqLen,
                    "lmstream-" + source.name().replaceAll(".*/", ""));
            pipeline.start(0, geometry.batches());
        }
    }

    /** A builder over {@code store}; shuffling defaults to on for the split named {@code train}. */
    public static Builder builder(TokenStore store) {
        return new Builder(TokenSource.of(store), store.vocabSize(), ShardLayout.TRAIN.equals(store.meta().split()));
    }

    /** A builder over any source (tests and benchmarks). */
    static Builder builder(TokenSource source, int vocabSize, boolean splitIsTrain) {
        return new Builder(source, vocabSize, splitIsTrain);
    }

    /** Settings of an {@link LmStreamIterator}. */
    public static final class Builder {
        private final TokenSource source;
        private final int vocabSize;
        private final boolean splitIsTrain;
        private int batchSize = 64;
        private int seqLen = 72;
        private Boolean shuffle;
        private long seed;
        private int workers;
        private int queueSize;
        private boolean dropLast;

        private Builder(TokenSource source, int vocabSize, boolean splitIsTrain) {
            this.source = source;
            this.vocabSize = vocabSize;
            this.splitIsTrain = splitIsTrain;
        }

        /** Rows per batch (default 64). */
        public Builder batchSize(int bs) {
            this.batchSize = bs;
            return this;
        }

        /** Time steps per batch (default 72). */
        public Builder seqLen(int sl) {
            this.seqLen = sl;
            return this;
        }

        /** Shuffle documents each epoch (default: true iff the split is {@code train}). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Seed of the document permutations (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Background threads preparing batches ahead; 0 (default) prepares them in {@link #next()}. */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Batches prepared ahead at most with workers (default {@code 2 * workers}). */
        public Builder queueSize(int queueSize) {
            this.queueSize = queueSize;
            return this;
        }

        /** Leave out the epoch's last batch when it is shorter than the sequence length (default false). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Builds the iterator, positioned at batch 0 of epoch 0.
         *
         * @throws SplitTooSmallException when the split holds too few tokens for one batch
         */
        public LmStreamIterator build() {
            return new LmStreamIterator(this, source, vocabSize);
        }
    }

    /** The 0-based epoch being iterated. */
    public int epoch() {
        return epoch;
    }

    public long batchesPerEpoch() {
        return geometry.batches();
    }

    /** Index within the epoch of the batch {@link #next()} returns next. */
    public long batchIndex() {
        return batchIndex;
    }

    /** The batch layout (tokens, row length, last batch length). */
    public BatchGeometry geometry() {
        return geometry;
    }

    public boolean shuffled() {
        return shuffle;
    }

    /**
     * Positions the iterator at batch {@code batchIndex} of {@code epoch} (with the same document
     * permutation as an uninterrupted run); {@code batchIndex == batchesPerEpoch()} means the
     * epoch is exhausted.
     */
    public void seek(int epoch, long batchIndex) {
        ensureOpen();
        if (epoch < 0 || batchIndex < 0 || batchIndex > geometry.batches()) {
            throw new IllegalArgumentException("cannot seek to epoch " + epoch + ", batch " + batchIndex
                    + " (batches per epoch: " + geometry.batches() + ")");
        }
        position(epoch, batchIndex);
    }

    private void position(int epoch, long batch) {
        if (pipeline != null) {
            pipeline.stop();
        }
        stream.prepare(epoch);
        this.epoch = epoch;
        this.batchIndex = batch;
        if (pipeline != null) {
            pipeline.start(batch, geometry.batches());
        }
    }

    /** Starts the next epoch ({@code epoch() + 1}), with a fresh permutation for shuffled splits. */
    @Override
    public void reset() {
        ensureOpen();
        position(epoch + 1, 0);
    }

    @Override
    public boolean hasNext() {
        return !closed && batchIndex < geometry.batches();
    }

    @Override
    public DataSet next() {
        ensureOpen();
        if (batchIndex >= geometry.batches()) {
            throw new NoSuchElementException("epoch " + epoch + " has no more batches (" + geometry.batches()
                    + "); call reset() to start the next epoch");
        }
        long k = batchIndex;
        DataSet ds;
        if (pipeline == null) {
            // Synchronous: the previous batch's arrays may be overwritten now (valid until next()),
            // so on the CPU backend the rows go straight into the arrays' memory, not via the heap.
            NdBatch nd = arraysFor(geometry.length(k));
            if (nd.direct()) {
                filler.fillDirect(k, syncBuffers, nd.featureMemory(), nd.labelMemory());
                ds = nd.reset();
            } else {
                filler.fill(k, syncBuffers);
                ds = nd.load(syncBuffers);
            }
        } else {
            // Workers fill heap slots ahead while the caller still holds the current arrays.
            BatchBuffers buf = pipeline.take(k);
            ds = arraysFor(buf.length).load(buf);
        }
        if (pipeline != null) {
            // The slot's contents are in the arrays now; hand it back at once.
            pipeline.release(k);
        }
        batchIndex = k + 1;
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    private NdBatch arraysFor(int length) {
        if (length == geometry.seqLen()) {
            if (fullBatch == null) {
                fullBatch = new NdBatch(geometry.batchSize(), length);
            }
            return fullBatch;
        }
        if (lastBatch == null) {
            lastBatch = new NdBatch(geometry.batchSize(), length);
        }
        return lastBatch;
    }

    /** Only {@code num == batch()} is supported: the batch layout is fixed by the stream. */
    @Override
    public DataSet next(int num) {
        if (num != geometry.batchSize()) {
            throw new UnsupportedOperationException("batch size is fixed at " + geometry.batchSize() + ", got " + num);
        }
        return next();
    }

    /** Features per time step: one token id. */
    @Override
    public int inputColumns() {
        return 1;
    }

    @Override
    public int totalOutcomes() {
        return vocabSize;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** False: wrapping in DL4J's async iterator would break buffer reuse; use {@code workers} instead. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return geometry.batchSize();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the iterator is closed");
        }
    }

    /** Stops the workers (if any); idempotent. The store stays open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** For tests: whether worker threads are still running. */
    /** True when every prefetch worker waits for the consumer (tests: the look-ahead is complete). */
    boolean workersWaiting() {
        return pipeline != null && pipeline.allWorkersWaiting();
    }

    boolean workersAlive() {
        return pipeline != null && pipeline.anyWorkerAlive();
    }
}
