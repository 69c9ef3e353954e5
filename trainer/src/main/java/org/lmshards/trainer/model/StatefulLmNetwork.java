package org.lmshards.trainer.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.Solver;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A {@link MultiLayerNetwork} whose truncated BPTT keeps the LSTM state from one
 * {@code fit(DataSet)} call to the next, as fastai's stateful AWD-LSTM does within an epoch.
 *
 * <p>DL4J 1.0.0-M2.1's {@code doTruncatedBPTT} clears the recurrent state before and after
 * every {@code fit} call, so state would only flow between the segments of one DataSet. This
 * class overrides that one protected hook with the same segment loop (same solver, updater,
 * gradient clipping, workspaces and listeners) minus the two clears while
 * {@link #setCarryState(boolean) carryState} is on. Gradients never flow into the carried state
 * (the LSTM layers store it detached): that is the "truncated" of truncated BPTT. The caller
 * resets the state with {@link #rnnClearPreviousState()} at each epoch start.
 *
 * <p>It also records each fit call's summed per-token cross-entropy (without the
 * regularisation term that {@link #score()} includes), see {@link #lastLossSum()}.
 */
public class StatefulLmNetwork extends MultiLayerNetwork {
    private static final long serialVersionUID = 1L;

    private boolean carryState = true;
    private double lastLossSum = Double.NaN;
    private long lastTokens;

    public StatefulLmNetwork(MultiLayerConfiguration conf) {
        super(conf);
    }

    /** Whether {@code fit} keeps the recurrent state between calls (default true). */
    public void setCarryState(boolean carryState) {
        this.carryState = carryState;
    }

    public boolean isCarryState() {
        return carryState;
    }

    /** Sum over the last fit call's tokens of the cross-entropy in nats (NaN before the first). */
    public double lastLossSum() {
        return lastLossSum;
    }

    /** Number of tokens (batch rows x time steps) of the last fit call. */
    public long lastTokens() {
        return lastTokens;
    }

    @Override
    protected void doTruncatedBPTT(INDArray input, INDArray labels, INDArray featuresMask, INDArray labelsMask,
                                   LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() != 3 || labels.rank() != 3 || input.size(2) != labels.size(2)) {
            throw new IllegalArgumentException("expected features and labels of shape [batch, 1, time] with equal time,"
                    + " got " + java.util.Arrays.toString(input.shape()) + " and " + java.util.Arrays.toString(labels.shape()));
        }
        if (featuresMask != null || labelsMask != null) {
            throw new IllegalArgumentException("mask arrays are not supported: language-model batches are dense");
        }
        if (!carryState) {
            rnnClearPreviousState();
        }
        int fwdLen = getLayerWiseConfigurations().getTbpttFwdLength();
        long length = input.size(2);
        long batch = input.size(0);
        double lossSum = 0;
        for (long start = 0; start < length; start += fwdLen) {
            long end = Math.min(length, start + fwdLen);
            setInput(input.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(start, end)));
            setLabels(labels.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(start, end)));
            if (solver == null) {
                try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    solver = new Solver.Builder().configure(conf()).listeners(getListeners()).model(this).build();
                }
            }
            // score() = (sum of the segment's per-token losses) / batch rows + regularisation;
            // the regularisation term is taken before the update changes the parameters.
            double regularisation = calcRegularizationScore(true);
            solver.optimize(workspaceMgr);
            lossSum += (score() - regularisation) * batch;
            updateRnnStateWithTBPTTState();
        }
        lastLossSum = lossSum;
        lastTokens = batch * length;
        if (!carryState) {
            rnnClearPreviousState();
        }
        clearLayerMaskArrays();
    }
}
