package org.lmshards.trainer.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.lmshards.trainer.backend.NativeThreads;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Data-parallel replicas of one {@link StatefulLmNetwork} over the rows of every batch: replica
 * {@code k} owns the {@code k}-th contiguous {@link RowBlocks row block} for the whole epoch and
 * carries the LSTM state of those rows. Every replica runs on its own thread (replica 0 on the
 * caller's), so each can run its native ops with one thread while all cores work.
 *
 * <p>All replicas share the master's one parameter array (views of the same buffer) and the
 * master's updater: a training step computes every replica's gradient on its rows in parallel,
 * sums them into the master's gradient weighted by rows (the token mean over the whole batch, as
 * one replica computes it), and the master then clips and updates once, the updater's work split
 * in slices over the replicas' threads ({@link SlicedUpdater}). There is nothing to copy back:
 * every replica reads the updated parameters, bit-identical by construction. Memory
 * is one copy of the parameters and of the Adam state, plus per replica its gradient and
 * activations.
 */
public final class RowReplicas implements AutoCloseable {
    private final StatefulLmNetwork master;
    private final StatefulLmNetwork[] nets;
    /** {@code threads[k]} runs replica {@code k}; {@code threads[0]} is null (the caller's thread). */
    private final ExecutorService[] threads;
    private long seed;
    private long step = -1;

    private RowReplicas(StatefulLmNetwork master, int count) {
        this.master = master;
        this.nets = new StatefulLmNetwork[count];
        this.threads = new ExecutorService[count];
        nets[0] = master;
        for (int k = 1; k < count; k++) {
            StatefulLmNetwork replica = new StatefulLmNetwork(master.getLayerWiseConfigurations().clone(), master.implementation());
            replica.init(master.params(), false); // the master's buffer itself: shared, not copied
            replica.setCarryState(true);
            replica.reportDataLossOnly();
            replica.setIterationCount(master.getIterationCount());
            replica.setEpochCount(master.getEpochCount());
            nets[k] = replica;
            String name = "lmshards-replica-" + k;
            threads[k] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /**
     * Splits {@code master}'s training into {@code count} row replicas (1 = none), moving its
     * carried state's rows to the replicas that own them. The batch must have at least
     * {@code count} rows. With more than one replica, every native call of the process runs on
     * one thread from then on ({@link NativeThreads#onePerCaller}), and the master's updater is a
     * {@link SlicedUpdater} over the same state until {@link #close}.
     */
    public static RowReplicas attach(StatefulLmNetwork master, int count) {
        return attach(master, count, true);
    }

    /**
     * {@link #attach} for inference ({@code evaluate}): the master's updater stays as it is, and
     * none is made where there is none (a loaded model has none; Adam's state is twice the parameters).
     */
    public static RowReplicas attachForInference(StatefulLmNetwork master, int count) {
        return attach(master, count, false);
    }

    private static RowReplicas attach(StatefulLmNetwork master, int count, boolean training) {
        if (count < 1) {
            throw new IllegalArgumentException("replicas must be >= 1, got " + count);
        }
        if (master.replicas() != null) {
            throw new IllegalStateException("the network already has replicas");
        }
        RowReplicas replicas = new RowReplicas(master, count);
        if (count > 1) {
            NativeThreads.onePerCaller();
            CarriedState state = master.carriedState();
            if (training) {
                master.setUpdater(new SlicedUpdater(master, master.getUpdater().getStateViewArray(), replicas));
            }
            master.useReplicas(replicas);
            if (state.rows() > 0) {
                replicas.setCarriedState(state);
            }
        }
        return replicas;
    }

    public int count() {
        return nets.length;
    }

    /** The dropout seeds of the next training step: replica {@code k} draws from {@link DropoutSeeds#forStep(long, long, int)}. */
    void seedStep(long runSeed, long trainingStep) {
        this.seed = runSeed;
        this.step = trainingStep;
        Nd4j.getRandom().setSeed(DropoutSeeds.forStep(runSeed, trainingStep, 0));
    }

    /** Work on one row block, run on the thread of the replica that owns it. */
    @FunctionalInterface
    public interface BlockTask<T> {
        T run(StatefulLmNetwork replica, int index, INDArray features, INDArray labels);
    }

    /**
     * Runs {@code task} on every row block of {@code features} and {@code labels} (either may be
     * null), in parallel, each on its replica's thread; the results in block order. Batches of
     * fewer rows than replicas use the first replicas only (a row each).
     */
    public <T> List<T> map(INDArray features, INDArray labels, BlockTask<T> task) {
        INDArray any = features != null ? features : labels;
        RowBlocks blocks = new RowBlocks((int) any.size(0), (int) Math.min(nets.length, any.size(0)));
        return each(blocks.count(), k -> task.run(nets[k], k, block(features, blocks, k), block(labels, blocks, k)));
    }

    /** Work on the elements {@code [start, end)} of a flat vector, run on one replica's thread. */
    @FunctionalInterface
    interface SliceTask<T> {
        T run(long start, long end);
    }

    /**
     * Runs {@code task} on contiguous slices of {@code [0, length)}, one per replica (fewer when
     * {@code length} is shorter), in parallel, each on its replica's thread; results in slice order.
     * For the passes over every parameter, which a single thread would make the serial part of a step.
     */
    <T> List<T> slices(long length, SliceTask<T> task) {
        RowBlocks slices = new RowBlocks(Math.toIntExact(length), (int) Math.min(nets.length, length));
        return each(slices.count(), k -> task.run(slices.start(k), slices.end(k)));
    }

    /** Runs {@code task(k)} for {@code k < count} in parallel, each on replica {@code k}'s thread; results in order. */
    private <T> List<T> each(int count, IntFunction<T> task) {
        List<Future<T>> pending = new ArrayList<>();
        for (int k = 1; k < count; k++) {
            int index = k;
            pending.add(threads[k].submit(() -> task.apply(index)));
        }
        List<T> results = new ArrayList<>();
        Throwable failure = null;
        try {
            results.add(task.apply(0));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<T> f : pending) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        } else if (failure instanceof Error err) {
            throw err;
        } else if (failure != null) {
            throw new IllegalStateException("replica failed: " + failure, failure);
        }
        return results;
    }

    /**
     * One training segment's gradient and score on the master, computed by all replicas on their
     * row blocks (the master's input and labels are already its own block): the master's
     * gradient becomes the row-weighted sum, its score the row-weighted mean.
     *
     * @return the L2 norm of the master's gradient
     */
    double computeGradientAndScore(INDArray features, INDArray labels) {
        int iteration = master.getIterationCount(), epoch = master.getEpochCount();
        long runSeed = seed, trainingStep = step;
        List<Double> scores = map(features, labels, (net, k, f, l) -> {
            if (k == 0) {
                net.computeOwnGradientAndScore();
                return net.score();
            }
            if (trainingStep >= 0) {
                Nd4j.getRandom().setSeed(DropoutSeeds.forStep(runSeed, trainingStep, k));
            }
            net.setIterationCount(iteration);
            net.setEpochCount(epoch);
            net.setInput(f);
            net.setLabels(l);
            net.computeOwnGradientAndScore();
            // after backprop, which recomputes from the state the segment started from
            net.updateRnnStateWithTBPTTState();
            net.clearLayersStates();
            return net.score();
        });
        RowBlocks blocks = new RowBlocks((int) features.size(0), nets.length);
        boolean tokenMean = !master.conf().isMiniBatch();
        double[] weights = new double[nets.length];
        double score = 0;
        for (int k = 0; k < nets.length; k++) {
            double share = (double) blocks.size(k) / blocks.rows();
            score += share * scores.get(k);
            // the token mean weights each block by its rows; a summed loss (the updater divides by all rows) adds them
            weights[k] = tokenMean ? share : 1;
        }
        double norm = sumGradients(weights);
        master.setScore(score);
        return norm;
    }

    /** Multiplies the master's gradient by {@code factor}, slice by slice on the replicas' threads. */
    void scaleGradient(double factor) {
        INDArray gradient = master.getFlattenedGradients();
        slices(gradient.length(), (start, end) -> gradient.get(slice(start, end)).muli(factor));
    }

    /**
     * Makes the master's gradient {@code sum_k weights[k] * gradient_k} and returns its L2 norm.
     * Each replica sums one slice of the flattened gradients, so that the reduction, bound by memory
     * bandwidth, runs on every core; each element is summed in replica order, as a serial loop would.
     */
    private double sumGradients(double[] weights) {
        INDArray sum = master.getFlattenedGradients();
        List<Double> squares = slices(sum.length(), (start, end) -> {
            INDArray target = sum.get(slice(start, end));
            if (weights[0] != 1) {
                target.muli(weights[0]);
            }
            for (int r = 1; r < nets.length; r++) {
                Nd4j.getBlasWrapper().level1().axpy(target.length(), weights[r], nets[r].getFlattenedGradients().get(slice(start, end)),
                        target);
            }
            double norm = target.norm2Number().doubleValue();
            return norm * norm;
        });
        double total = 0;
        for (double square : squares) {
            total += square;
        }
        return Math.sqrt(total);
    }

    /** Elements {@code [start, end)} of a flattened [1, n] parameter or gradient array. */
    private static INDArrayIndex[] slice(long start, long end) {
        return new INDArrayIndex[] {NDArrayIndex.point(0), NDArrayIndex.interval(start, end)};
    }

    /** The carried state of all rows, in row order. */
    public CarriedState carriedState() {
        List<CarriedState> parts = new ArrayList<>();
        for (StatefulLmNetwork net : nets) {
            parts.add(net.ownCarriedState());
        }
        return CarriedState.concat(parts);
    }

    /**
     * Hands each replica the rows of {@code state} it owns (the state arrays live outside any
     * workspace, so this needs none of the replicas' threads; the next task hand-over publishes it).
     */
    public void setCarriedState(CarriedState state) {
        RowBlocks blocks = new RowBlocks((int) state.rows(), nets.length);
        for (int k = 0; k < nets.length; k++) {
            state.rows(blocks.start(k), blocks.end(k)).applyTo(nets[k]);
        }
    }

    /** Clears the carried state of every replica. */
    public void clearState() {
        for (StatefulLmNetwork net : nets) {
            net.clearOwnState();
        }
    }

    @SuppressWarnings("try") // the resource is held for its scope, not used
    private static INDArray block(INDArray rows, RowBlocks blocks, int k) {
        if (rows == null) {
            return null;
        }
        INDArrayIndex[] index = new INDArrayIndex[rows.rank()];
        index[0] = NDArrayIndex.interval(blocks.start(k), blocks.end(k));
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return rows.get(index).dup('c');
        }
    }

    /** The networks, replica 0 (the master) first. */
    List<StatefulLmNetwork> networks() {
        return List.of(nets);
    }

    /** Stops the replicas' threads; the master trains alone again, carrying the state of all rows. */
    @Override
    public void close() {
        if (master.replicas() == this) {
            CarriedState state = carriedState();
            master.useReplicas(null);
            if (master.getUpdater(false) instanceof SlicedUpdater sliced) {
                master.setUpdater(new MultiLayerUpdater(master, sliced.getStateViewArray()));
            }
            master.clearOwnState();
            if (state.rows() > 0) {
                state.applyTo(master);
            }
        }
        for (ExecutorService t : threads) {
            if (t != null) {
                t.shutdownNow();
            }
        }
    }
}
