package org.lmshards.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Background workers: same batches as synchronous iteration, bounded look-ahead, errors and shutdown. */
class LmStreamWorkersTest {

    @Test
    void workersYieldTheSameBatchesAsSynchronousIteration() {
        Random rnd = new Random(21);
        for (int trial = 0; trial < 12; trial++) {
            ArraySource src = ArraySource.random(rnd, 5 + rnd.nextInt(40), 1 + rnd.nextInt(150), 700, false);
            int bs = 1 + rnd.nextInt(8);
            int sl = 1 + rnd.nextInt(20);
            boolean dropLast = rnd.nextInt(3) == 0;
            int workers = 1 + rnd.nextInt(3);
            int queue = rnd.nextInt(5); // 0 = default
            long seed = rnd.nextLong();
            List<List<int[][][]>> expected;
            try (LmStreamIterator sync = LmStreamIteratorTest.build(src, bs, sl, true, seed, dropLast, 0)) {
                expected = script(sync, rnd.nextLong());
            } catch (SplitTooSmallException tooSmall) {
                continue;
            }
            long scriptSeed = rnd.nextLong();
            List<List<int[][][]>> again;
            try (LmStreamIterator sync = LmStreamIteratorTest.build(src, bs, sl, true, seed, dropLast, 0)) {
                again = script(sync, scriptSeed);
            }
            try (LmStreamIterator async = LmStreamIterator.builder(src, 1 << 20, false).batchSize(bs).seqLen(sl)
                    .shuffle(true).seed(seed).dropLast(dropLast).workers(workers).queueSize(queue).build()) {
                List<List<int[][][]>> got = script(async, scriptSeed);
                assertThat(got).hasSameSizeAs(again);
                for (int i = 0; i < got.size(); i++) {
                    Batches.assertSame(got.get(i), again.get(i));
                }
            }
            assertThat(expected).isNotEmpty();
        }
    }

    /** Full epochs, partial epochs cut short by reset(), and seeks, decided by {@code scriptSeed}. */
    private static List<List<int[][][]>> script(LmStreamIterator it, long scriptSeed) {
        Random r = new Random(scriptSeed);
        List<List<int[][][]>> out = new ArrayList<>();
        for (int step = 0; step < 6; step++) {
            int action = r.nextInt(3);
            if (action == 1) {
                it.reset();
            } else if (action == 2) {
                it.seek(r.nextInt(4), r.nextInt((int) it.batchesPerEpoch() + 1));
            }
            List<int[][][]> got = new ArrayList<>();
            int limit = r.nextBoolean() ? Integer.MAX_VALUE : r.nextInt(3);
            while (it.hasNext() && got.size() < limit) {
                got.add(Batches.copy(it.next()));
            }
            out.add(got);
        }
        return out;
    }

    @Test
    void aWorkerFailureReachesNextAtTheFailingBatch() {
        ArraySource good = ArraySource.random(new Random(22), 20, 60, 100, false);
        int bs = 3;
        int sl = 5;
        BatchGeometry g = BatchGeometry.of("x", good.size(), bs, sl, false);
        long failAt = g.rowStart(4, 1) + 1; // inside row 1 of batch 4 only (its first token is batch 3's last label)
        TokenSource failing = new FailingSource(good, failAt);
        for (int workers : new int[] {0, 1, 3}) {
            try (LmStreamIterator it = LmStreamIteratorTest.build(failing, bs, sl, false, 0, false, workers)) {
                for (int i = 0; i < 4; i++) {
                    it.next();
                }
                if (workers == 0) {
                    assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("disk gone");
                } else {
                    assertThatThrownBy(it::next).isInstanceOf(BatchPreparationException.class)
                            .hasMessageContaining("batch 4").hasRootCauseMessage("disk gone at " + failAt);
                }
                assertThat(it.batchIndex()).isEqualTo(4);
            }
        }
    }

    @Test
    void lookAheadIsBoundedByTheQueueSize() throws InterruptedException {
        ArraySource src = ArraySource.random(new Random(23), 40, 100, 100, false);
        int bs = 4;
        int queue = 3;
        CountingSource counting = new CountingSource(src);
        try (LmStreamIterator it = LmStreamIterator.builder(counting, 100, false).batchSize(bs).seqLen(5)
                .shuffle(false).workers(2).queueSize(queue).build()) {
            assertThat(it.batchesPerEpoch()).isGreaterThan(10);
            it.next();
            // Wait for the fact that ends the look-ahead (every worker waiting for the consumer), not
            // for a time after which a slow runaway worker might still read more (issue 25).
            long giveUp = System.nanoTime() + 600_000_000_000L; // only against a hang
            while (!it.workersWaiting()) {
                assertThat(System.nanoTime()).as("workers still busy").isLessThan(giveUp);
                Thread.sleep(1);
            }
            long bound = (long) (1 + queue) * bs; // the batch taken plus `queue` batches ahead, one read per row
            assertThat(counting.reads.get()).isEqualTo(bound);
        }
    }

    @Test
    void closeStopsTheWorkers() {
        ArraySource src = ArraySource.random(new Random(24), 20, 100, 100, false);
        LmStreamIterator it = LmStreamIteratorTest.build(src, 2, 4, false, 0, false, 3);
        it.next();
        assertThat(it.workersAlive()).isTrue();
        it.close();
        assertThat(it.workersAlive()).isFalse();
        it.close(); // idempotent
        assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    /** Throws when asked for the token at {@code failAt}. */
    private static final class FailingSource extends Delegating {
        private final long failAt;

        FailingSource(TokenSource d, long failAt) {
            super(d);
            this.failAt = failAt;
        }

        @Override
        public void read(long start, int[] dst, int off, int len) {
            if (start <= failAt && failAt < start + len) {
                throw new IllegalStateException("disk gone at " + failAt);
            }
            super.read(start, dst, off, len);
        }
    }

    private static final class CountingSource extends Delegating {
        final AtomicLong reads = new AtomicLong();

        CountingSource(TokenSource d) {
            super(d);
        }

        @Override
        public void read(long start, int[] dst, int off, int len) {
            reads.incrementAndGet();
            super.read(start, dst, off, len);
        }
    }

    private static class Delegating implements TokenSource {
        private final TokenSource d;

        Delegating(TokenSource d) {
            this.d = d;
        }

        @Override
        public String name() {
            return d.name();
        }

        @Override
        public long size() {
            return d.size();
        }

        @Override
        public void read(long start, int[] dst, int off, int len) {
            d.read(start, dst, off, len);
        }

        @Override
        public long numDocs() {
            return d.numDocs();
        }

        @Override
        public long docStart(long doc) {
            return d.docStart(doc);
        }

        @Override
        public long docEnd(long doc) {
            return d.docEnd(doc);
        }
    }
}
