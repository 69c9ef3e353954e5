package org.lmshards.trainer.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * DL4J's {@link MultiLayerUpdater} with its work split into contiguous slices of the parameter
 * vector, each run on the thread of one row replica, so that the optimizer step is not the serial
 * part of a data-parallel step. With a fixed batch a step gets shorter with every replica and a
 * serial update does not: Adam with weight decay takes about 3 ns a parameter on one thread (88 ms
 * at the AWD size, UpdaterBenchmark), a tenth of an ideal 8-replica step.
 *
 * <p>Every part of DL4J's update is element-wise: the division by the batch rows (summed loss),
 * the regularisation before and after the updater, and the updater itself (Adam and DL4J's other
 * built-in updaters keep one state value per parameter per state array). So each slice runs
 * DL4J's own updater class ({@link IUpdater#instantiate(Map, boolean)} over views of the slice's
 * state) and DL4J's own {@link Regularization} objects, in DL4J's order, and the result is
 * bit-identical to the serial update (tested). Per-layer gradient normalisation
 * ({@code --clip-scope layer}) reads whole layers, so with it the update stays serial.
 *
 * <p>It uses the updater state array it is given directly, so checkpoints and resumes see one state.
 */
final class SlicedUpdater extends MultiLayerUpdater {
    private final transient RowReplicas replicas;
    private int lastSlices;

    /** Runs on {@code replicas}' threads while they train {@code network}; {@code state}: the current updater's array, shared. */
    SlicedUpdater(StatefulLmNetwork network, INDArray state, RowReplicas replicas) {
        super(network, state);
        this.replicas = replicas;
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize, LayerWorkspaceMgr workspaceMgr) {
        if (!(network instanceof StatefulLmNetwork s) || s.replicas() != replicas || normalizesPerLayer()) {
            super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
            lastSlices = 0;
            return;
        }
        for (UpdaterBlock block : getUpdaterBlocks()) {
            block.getGradientUpdater(); // creates it on first use: here, not racing on the replicas' threads
        }
        INDArray grad = gradient.gradient();
        INDArray flatGrad = flat(grad);
        INDArray flatParams = flat(getParams());
        List<long[]> divided = isMiniBatch() ? divisionRanges(flatGrad) : List.of();
        lastSlices = replicas.slices(flatGrad.length(), (start, end) -> {
            updateSlice(flatGrad, flatParams, start, end, divided, iteration, epoch, batchSize);
            return null;
        }).size();
    }

    /** How many slices the last update ran in; 0 when DL4J's serial update ran. */
    int lastSlices() {
        return lastSlices;
    }

    /**
     * DL4J's update of parameters {@code [start, end)}: {@code flatGrad} becomes the step that
     * the step function subtracts, and the updater state of these parameters advances.
     */
    @SuppressWarnings("try") // the scope is entered, not used
    private void updateSlice(INDArray flatGrad, INDArray flatParams, long start, long end, List<long[]> divided,
                     int iteration, int epoch, int batchSize) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (long[] range : divided) {
                long s = Math.max(start, range[0]), e = Math.min(end, range[1]);
                if (s < e) {
                    slice(flatGrad, s, e).divi(batchSize);
                }
            }
            for (UpdaterBlock block : getUpdaterBlocks()) {
                long s = Math.max(start, block.getParamOffsetStart()), e = Math.min(end, block.getParamOffsetEnd());
                if (s >= e || block.skipDueToPretrainConfig(false)
                        || block.getLayersAndVariablesInBlock().get(0).getLayer().numParams() == 0) {
                    continue;
                }
                GradientUpdater<?> whole = block.getGradientUpdater();
                IUpdater config = whole.getConfig();
                double lr = config.hasLearningRate() ? config.getLearningRate(iteration, epoch) : 1.0;
                regularize(block, Regularization.ApplyStep.BEFORE_UPDATER, flatGrad, flatParams, s, e, lr, iteration, epoch);
                long offset = block.getParamOffsetStart();
                Map<String, INDArray> state = new HashMap<>();
                whole.getState().forEach((name, array) -> state.put(name, slice(flat(array), s - offset, e - offset)));
                config.instantiate(state, false).applyUpdater(slice(flatGrad, s, e), iteration, epoch);
                regularize(block, Regularization.ApplyStep.POST_UPDATER, flatGrad, flatParams, s, e, lr, iteration, epoch);
            }
        }
    }

    /** DL4J's regularisation of {@code step} for every variable of {@code block}, on its parameters within {@code [start, end)}. */
    private static void regularize(UpdaterBlock block, Regularization.ApplyStep step, INDArray flatGrad, INDArray flatParams,
                                   long start, long end, double lr, int iteration, int epoch) {
        for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
            long s = Math.max(start, p.getParamOffsetStart()), e = Math.min(end, p.getParamOffsetEnd());
            List<Regularization> all = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
            if (s >= e || all == null) {
                continue;
            }
            for (Regularization r : all) {
                if (r.applyStep() == step) {
                    r.apply(slice(flatParams, s, e), slice(flatGrad, s, e), lr, iteration, epoch);
                }
            }
        }
    }

    /** The ranges of the gradient that DL4J divides by the batch rows with a summed loss. */
    private List<long[]> divisionRanges(INDArray flatGrad) {
        List<long[]> ranges = new ArrayList<>();
        for (INDArray subset : getMinibatchDivisionSubsets(flatGrad)) {
            long s = subset.offset() - flatGrad.offset();
            ranges.add(new long[] {s, s + subset.length()});
        }
        return ranges;
    }

    private boolean normalizesPerLayer() {
        for (Trainable layer : getOrderedLayers()) {
            GradientNormalization n = layer.getConfig() == null ? null : layer.getConfig().getGradientNormalization();
            if (n != null && n != GradientNormalization.None && layer.numParams() > 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code array} as a rank-1 'c' view. */
    private static INDArray flat(INDArray array) {
        return array.reshape('c', new long[] {array.length()});
    }

    /**
     * Elements {@code [start, end)} of a rank-1 view, as a 'c' view: ND4J flags an interval of a
     * vector 'f', DL4J's Adam reshapes the gradient to 'c', and libnd4j's updaters take their fast
     * loop only when all arrays carry the same flag (otherwise 2.5 times slower, measured).
     */
    private static INDArray slice(INDArray flat, long start, long end) {
        return flat(flat.get(NDArrayIndex.interval(start, end)));
    }
}
