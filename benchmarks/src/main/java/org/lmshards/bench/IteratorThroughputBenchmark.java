package org.lmshards.bench;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.RunStarts;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.trainer.data.BatchGeometry;
import org.lmshards.trainer.data.LmStreamIterator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Batches per second (one operation = one batch of {@code bs x seqLen} input tokens) of the
 * iterator against the ceiling: a bare copy of the same rows' bytes from the mapping into a
 * batch buffer, with no decoding, no float conversion and no INDArray.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class IteratorThroughputBenchmark {

    @Param("/tmp/lmshards-bench/tokens-20m")
    public String dataDir;

    @Param("20000000")
    public long tokens;

    @Param("64")
    public int bs;

    @Param("72")
    public int seqLen;

    private Dataset dataset;
    private TokenStore store;
    private BatchGeometry geometry;

    @Setup(Level.Trial)
    public void openDataset() throws IOException {
        // one shard, so that the ceiling maps a single file
        BenchDatasets.ensure(Path.of(dataDir), tokens, 3000, Long.MAX_VALUE / 4, 1);
        dataset = Dataset.open(Path.of(dataDir));
        store = dataset.split(ShardLayout.TRAIN);
        geometry = BatchGeometry.of(ShardLayout.TRAIN, store.size(), bs, seqLen, false);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        dataset.close();
    }

    /** The iterator, one {@code next()} per operation, epochs restarted with {@code reset()}. */
    @State(Scope.Thread)
    public static class IteratorState {
        @Param({"false", "true"})
        public boolean shuffle;

        @Param({"0", "2"})
        public int workers;

        LmStreamIterator it;

        @Setup(Level.Trial)
        public void build(IteratorThroughputBenchmark b) {
            it = LmStreamIterator.builder(b.store).batchSize(b.bs).seqLen(b.seqLen).shuffle(shuffle).seed(42)
                    .workers(workers).build();
        }

        @TearDown(Level.Trial)
        public void close() {
            it.close();
        }
    }

    @Benchmark
    public Object iterator(IteratorState s) {
        if (!s.it.hasNext()) {
            s.it.reset();
        }
        return s.it.next();
    }

    /**
     * The ceiling: the same row windows, copied as raw bytes from the mapping into a batch buffer.
     * With {@code shuffle}, the windows of a stream of the documents in a random order (a window
     * crossing a document boundary is two copies, as in the iterator), precomputed so that the
     * measured loop is nothing but the copies.
     */
    @State(Scope.Thread)
    public static class CopyState {
        /** Bytes per id: the benchmark datasets are uint16 (32 000 words). */
        static final int ID_BYTES = TokenDtype.UINT16.bytes();

        @Param({"false", "true"})
        public boolean shuffle;

        MappedByteBuffer map;
        int dataOffset;
        byte[] batch;
        long next;
        /** Per window (batch-major): byte offset and byte length of its first piece, byte offset of the rest. */
        long[] firstAt;
        int[] firstBytes;
        long[] restAt;

        @Setup(Level.Trial)
        public void map(IteratorThroughputBenchmark b) throws IOException {
            TokenStore store = b.store;
            Path file = store.splitDir().resolve(ShardLayout.tokensFile(0));
            if (store.numShards() != 1 || store.dtype() != TokenDtype.UINT16) {
                throw new IllegalStateException("the ceiling needs a one-shard uint16 dataset");
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            }
            map.order(ByteOrder.LITTLE_ENDIAN);
            dataOffset = 10 + (map.getShort(8) & 0xffff); // .npy v1: magic, version, HLEN, header
            batch = new byte[b.bs * (b.seqLen + 1) * ID_BYTES];
            precompute(b.geometry, store);
        }

        private void precompute(BatchGeometry g, TokenStore store) {
            int docs = (int) store.numDocs();
            int[] order = new int[docs];
            for (int d = 0; d < docs; d++) {
                order[d] = d;
            }
            if (shuffle) {
                java.util.Random rnd = new java.util.Random(42);
                for (int d = docs - 1; d > 0; d--) {
                    int k = rnd.nextInt(d + 1);
                    int t = order[d];
                    order[d] = order[k];
                    order[k] = t;
                }
            }
            long[] streamStart = new long[docs + 1];
            long[] sourceStart = new long[docs];
            for (int k = 0; k < docs; k++) {
                sourceStart[k] = store.docStart(order[k]);
                streamStart[k + 1] = streamStart[k] + store.docEnd(order[k]) - sourceStart[k];
            }
            int windows = (int) (g.batches() * g.batchSize());
            firstAt = new long[windows];
            firstBytes = new int[windows];
            restAt = new long[windows];
            for (long i = 0; i < g.batches(); i++) {
                int len = g.length(i) + 1;
                for (int j = 0; j < g.batchSize(); j++) {
                    long pos = g.rowStart(i, j);
                    int k = RunStarts.runOf(streamStart, pos);
                    int w = (int) (i * g.batchSize() + j);
                    int first = (int) Math.min(len, streamStart[k + 1] - pos);
                    firstAt[w] = dataOffset + ID_BYTES * (sourceStart[k] + pos - streamStart[k]);
                    firstBytes[w] = ID_BYTES * first;
                    restAt[w] = first < len ? dataOffset + ID_BYTES * sourceStart[k + 1] : 0;
                }
            }
        }
    }

    @Benchmark
    public void bareCopy(CopyState s, Blackhole bh) {
        BatchGeometry g = geometry;
        if (s.next == g.batches()) {
            s.next = 0;
        }
        long i = s.next++;
        int rowBytes = (g.length(i) + 1) * CopyState.ID_BYTES;
        int w = (int) (i * g.batchSize());
        for (int j = 0; j < g.batchSize(); j++, w++) {
            int first = s.firstBytes[w];
            s.map.get((int) s.firstAt[w], s.batch, j * rowBytes, first);
            if (first < rowBytes) {
                s.map.get((int) s.restAt[w], s.batch, j * rowBytes + first, rowBytes - first);
            }
        }
        bh.consume(s.batch);
    }
}
