package org.lmshards.trainer.data;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Background workers that fill the next batches of an epoch ahead of the consumer.
 *
 * <p>Batch {@code k} always goes to slot {@code k % slots}, and a worker may claim batch {@code k}
 * only once the consumer has released batch {@code k - slots}, so at most {@code slots} batches
 * exist at once (memory bounded by the slot count) and the consumer receives them in order
 * whichever worker finishes first. A worker's exception is handed to the consumer when it asks
 * for the batch that failed; batches before it are delivered normally.
 *
 * <p>{@link #stop()} waits until no worker is filling a slot, so the caller may then change the
 * epoch's stream (which workers read without locking) and {@link #start} again.
 */
final class PrefetchPipeline implements AutoCloseable {
    private final BatchFiller filler;
    private final BatchBuffers[] slots;
    /** Batch held ready in each slot, {@code -1} when none. */
    private final long[] ready;
    private final Thread[] threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final Condition batchReady = lock.newCondition();
    private final Condition idle = lock.newCondition();

    private boolean running;
    private boolean closed;
    private int generation;
    private int inFlight;
    private long nextToClaim;
    private long consumerPos;
    private long end;
    private long failedBatch = Long.MAX_VALUE;
    private Throwable failure;

    PrefetchPipeline(BatchFiller filler, int workers, int slotCount, int batchSize, int seqLen, String threadName) {
        if (workers < 1 || slotCount < 1) {
            throw new IllegalArgumentException("workers and slots must be positive");
        }
        this.filler = filler;
        this.slots = new BatchBuffers[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new BatchBuffers(batchSize, seqLen);
        }
        this.ready = new long[slotCount];
        Arrays.fill(ready, -1);
        this.threads = new Thread[workers];
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, threadName + "-" + i);
            t.setDaemon(true);
            threads[i] = t;
            t.start();
        }
    }

    /** Starts producing batches {@code [from, end)}; the consumer must take them in order from {@code from}. */
    void start(long from, long end) {
        lock.lock();
        try {
            ensureOpen();
            stopLocked();
            this.nextToClaim = from;
            this.consumerPos = from;
            this.end = end;
            this.running = true;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops production and waits until no worker touches a slot or the stream any more. */
    void stop() {
        lock.lock();
        try {
            stopLocked();
        } finally {
            lock.unlock();
        }
    }

    private void stopLocked() {
        generation++;
        running = false;
        boolean interrupted = false;
        while (inFlight > 0) {
            try {
                idle.await();
            } catch (InterruptedException e) {
                interrupted = true; // a stop must complete, or a worker could still write a slot
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Arrays.fill(ready, -1);
        failure = null;
        failedBatch = Long.MAX_VALUE;
    }

    /**
     * Waits for batch {@code k}, which must be the next one in order. The returned buffers stay
     * untouched by workers until {@link #release}.
     */
    BatchBuffers take(long k) {
        lock.lock();
        try {
            if (k != consumerPos || !running) {
                throw new IllegalStateException("batch " + k + " requested out of order (expected " + consumerPos + ")");
            }
            int idx = (int) (k % slots.length);
            while (ready[idx] != k) {
                if (failure != null && failedBatch == k) {
                    throw new BatchPreparationException("preparing batch " + k + " failed in a worker thread: "
                            + failure, failure);
                }
                ensureOpen();
                batchReady.awaitUninterruptibly();
            }
            return slots[idx];
        } finally {
            lock.unlock();
        }
    }

    /** Hands batch {@code k}'s slot back to the workers. */
    void release(long k) {
        lock.lock();
        try {
            int idx = (int) (k % slots.length);
            if (ready[idx] == k) {
                ready[idx] = -1;
            }
            consumerPos = k + 1;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        lock.lock();
        try {
            while (true) {
                while (!closed && !(running && failure == null && nextToClaim < end
                        && nextToClaim < consumerPos + slots.length)) {
                    workAvailable.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                long k = nextToClaim++;
                int gen = generation;
                int idx = (int) (k % slots.length);
                inFlight++;
                Throwable error = null;
                lock.unlock();
                try {
                    filler.fill(k, slots[idx]);
                } catch (Throwable t) {
                    error = t;
                } finally {
                    lock.lock();
                }
                inFlight--;
                if (gen == generation) {
                    if (error == null) {
                        ready[idx] = k;
                    } else if (k < failedBatch) {
                        failedBatch = k;
                        failure = error;
                    }
                    batchReady.signalAll();
                }
                if (inFlight == 0) {
                    idle.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the iterator is closed");
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            workAvailable.signalAll();
            batchReady.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * True when every worker waits for work (none is filling a slot or about to claim one): for
     * tests, a fact to wait for instead of a pause.
     */
    boolean allWorkersWaiting() {
        lock.lock();
        try {
            return lock.getWaitQueueLength(workAvailable) == threads.length;
        } finally {
            lock.unlock();
        }
    }

    /** True while any worker thread is alive (for tests of clean shutdown). */
    boolean anyWorkerAlive() {
        for (Thread t : threads) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }
}
