package org.lmshards.trainer.model;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.Solver;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.lmshards.trainer.backend.ResidentSizeCheck;

/**
 * A {@link MultiLayerNetwork} whose truncated BPTT keeps the LSTM state from one
 * {@code fit(DataSet)} call to the next, as fastai's stateful AWD-LSTM does within an epoch.
 *
 * <p>DL4J 1.0.0-M2.1's {@code doTruncatedBPTT} clears the recurrent state before and after
 * every {@code fit} call, so state would only flow between the segments of one DataSet. This
 * class overrides that one protected hook with the same segment loop (same solver, updater,
 * gradient clipping, workspaces and listeners) minus the two clears while
 * {@link #setCarryState(boolean) carryState} is on. Gradients never flow into the carried state
 * (the LSTM layers store it detached): that is the "truncated" of truncated BPTT. The state a
 * training forward pass starts from is each LSTM layer's TBPTT state map
 * ({@code rnnGetTBPTTState}); after every segment it is also copied to the inference state map
 * ({@code rnnGetPreviousState}), so both hold the same arrays between fit calls. The caller
 * resets the state with {@link #rnnClearPreviousState()} at each epoch start.
 *
 * <p>It also records each fit call's summed per-token cross-entropy (without the
 * regularisation term that {@link #score()} includes), see {@link #lastLossSum()}, and clips
 * the global gradient norm when {@link #setGlobalClip} is set: DL4J only clips per layer, while
 * PyTorch's {@code clip_grad_norm_} and fastai scale all gradients together. The clip is
 * applied between backpropagation and the updater, to the gradient the updater then sees.
 *
 * <p><b>A DL4J 1.0.0-M2.1 bug fixed here.</b> With truncated BPTT, {@code computeGradientAndScore}
 * runs the forward pass from the stored (carried) state but calls {@code calcBackpropGradients}
 * with {@code tbptt=false}, and the LSTM's non-TBPTT backward pass recomputes its activations
 * from a zero state: the loss sees the carried state, its gradient does not, so every LSTM and
 * embedding gradient is that of another forward pass. {@link #calcBackpropGradients} runs
 * the LSTMs' TBPTT backward pass, which recomputes from the stored state; {@code LmGradientCheckTest}
 * compares the result with finite differences.
 */
// DL4J's MultiLayerNetwork declares doEvaluation(iterator, T[]) for the interface's T...: javac warns on every subclass
@SuppressWarnings("overrides")
public class StatefulLmNetwork extends MultiLayerNetwork {
    private static final long serialVersionUID = 1L;

    /** Which code the layers run; DL4J's own backward pass (the bug above) only for the ablation. */
    private final NetworkImplementation implementation;
    private boolean carryState = true;
    private double lastLossSum = Double.NaN;
    private long lastTokens;
    private double globalClip;
    private double lastGradientNorm = Double.NaN;
    /** Data-parallel replicas this network trains with as replica 0, or null (it trains alone). */
    private transient RowReplicas replicas;
    /** The whole batch's rows of the segment being trained, while replicas compute its gradient. */
    private transient INDArray segmentFeatures, segmentLabels;
    /** Inside fit's training steps, where {@link #score()} leaves out the regularisation term. */
    private transient boolean inTrainingStep;
    /** A replica's {@link #score()} always leaves it out: only training steps read it. */
    private transient boolean replicaScore;

    /** A network with the implementation the system properties ask for ({@link NetworkImplementation#fromSystemProperties}). */
    public StatefulLmNetwork(MultiLayerConfiguration conf) {
        this(conf, NetworkImplementation.fromSystemProperties());
    }

    public StatefulLmNetwork(MultiLayerConfiguration conf, NetworkImplementation implementation) {
        super(conf);
        this.implementation = implementation;
    }

    /** Which code this network's layers and backward pass run. */
    public NetworkImplementation implementation() {
        return implementation;
    }

    /**
     * DL4J's initialisation, then the faster stand-ins {@link LayerSwap} chooses for the stock
     * LSTM and output layers (same configuration and parameter views; only the computation differs).
     */
    @Override
    public void init(INDArray parameters, boolean cloneParametersArray) {
        super.init(parameters, cloneParametersArray);
        for (int i = 0; i < layers.length; i++) {
            Layer standIn = LayerSwap.standIn(layers[i], i == layers.length - 1, implementation.lstm());
            if (standIn != layers[i]) {
                replace(i, standIn);
            }
        }
    }

    private void replace(int index, Layer replacement) {
        Layer stock = layers[index];
        layers[index] = replacement;
        layerMap.replaceAll((name, layer) -> layer == stock ? replacement : layer);
    }

    /** The row replicas this network trains with ({@link RowReplicas#attach}), or null. */
    public RowReplicas replicas() {
        return replicas;
    }

    void useReplicas(RowReplicas group) {
        this.replicas = group;
    }

    /**
     * Seeds the dropout masks of training step {@code step} of a run with seed {@code seed}
     * ({@link DropoutSeeds}): this thread's generator, and each replica's before its part of the step.
     */
    public void seedDropout(long seed, long step) {
        if (replicas != null) {
            replicas.seedStep(seed, step);
        } else {
            Nd4j.getRandom().setSeed(DropoutSeeds.forStep(seed, step));
        }
    }

    /** The LSTM state carried into the next batch, all rows in row order (across replicas). */
    public CarriedState carriedState() {
        return replicas != null ? replicas.carriedState() : ownCarriedState();
    }

    /** Makes {@code state} (all rows) the state carried into the next batch, split across replicas. */
    public void setCarriedState(CarriedState state) {
        if (replicas != null) {
            replicas.setCarriedState(state);
        } else {
            state.applyTo(this);
        }
    }

    /** This network's own rows of the carried state (its row block when it is a replica). */
    CarriedState ownCarriedState() {
        return CarriedState.of(this);
    }

    void clearOwnState() {
        super.rnnClearPreviousState();
    }

    /** Clears the carried state, of every replica when there are replicas. */
    @Override
    public void rnnClearPreviousState() {
        if (replicas != null) {
            replicas.clearState();
        } else {
            super.rnnClearPreviousState();
        }
    }

    /** The rows of the whole batch while replicas train on it (the updater divides a summed loss by them). */
    @Override
    public int batchSize() {
        return segmentLabels != null ? (int) segmentLabels.size(0) : super.batchSize();
    }

    /** Whether {@code fit} keeps the recurrent state between calls (default true). */
    public void setCarryState(boolean carryState) {
        this.carryState = carryState;
    }

    public boolean isCarryState() {
        return carryState;
    }

    /** Clips the L2 norm of all gradients together to {@code threshold} before each update (0 = off). */
    public void setGlobalClip(double threshold) {
        if (!(threshold >= 0)) {
            throw new IllegalArgumentException("clip threshold must be >= 0, got " + threshold);
        }
        this.globalClip = threshold;
    }

    public double globalClip() {
        return globalClip;
    }

    /** L2 norm of the last computed gradient before clipping, as the updater would see it unclipped (NaN before the first). */
    public double lastGradientNorm() {
        return lastGradientNorm;
    }

    /**
     * Backpropagation through the layers with each LSTM's truncated-BPTT backward pass, which
     * recomputes its activations from the carried state (DL4J's own loop asks for the plain
     * backward pass here, which recomputes them from a zero state; its TBPTT branch fails on the
     * output layer). Other calls (external errors, non-TBPTT networks) go to DL4J unchanged.
     */
    @Override
    protected Pair<Gradient, INDArray> calcBackpropGradients(INDArray epsilon, boolean withOutputLayer, boolean tbptt,
                                                             boolean returnInputActGrad) {
        if (implementation.dl4jBackprop() || getLayerWiseConfigurations().getBackpropType() != BackpropType.TruncatedBPTT || epsilon != null
                || !withOutputLayer || returnInputActGrad) {
            return super.calcBackpropGradients(epsilon, withOutputLayer, tbptt, returnInputActGrad);
        }
        if (flattenedGradients == null) {
            initGradientsView();
        }
        boolean workspaces = getLayerWiseConfigurations().getTrainingWorkspaceMode() != WorkspaceMode.NONE;
        // Two managers used alternately, as DL4J's loop does: a layer's activation gradient (the
        // epsilon handed to the layer below) lives in its own workspace until that layer has used it.
        LayerWorkspaceMgr even = workspaces ? backpropWorkspaces(WS_LAYER_ACT_1) : LayerWorkspaceMgr.noWorkspaces();
        LayerWorkspaceMgr odd = workspaces ? backpropWorkspaces(WS_LAYER_ACT_2) : LayerWorkspaceMgr.noWorkspaces();
        LinkedList<GradientEntry> entries = new LinkedList<>();
        Pair<Gradient, INDArray> current = null;
        int tbpttLength = getLayerWiseConfigurations().getTbpttBackLength();
        MemoryWorkspace initial = Nd4j.getMemoryManager().getCurrentWorkspace();
        MemoryWorkspace previousGradients = null;
        try {
            for (int i = layers.length - 1; i >= 0; i--) {
                Layer layer = layers[i];
                LayerWorkspaceMgr mgr = i % 2 == 0 ? even : odd;
                MemoryWorkspace gradients = mgr.notifyScopeEntered(ArrayType.ACTIVATION_GRAD);
                try (MemoryWorkspace working = mgr.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
                    // opened out of nesting order: each closes back to the workspace that was current at the start
                    gradients.setPreviousWorkspace(initial);
                    working.setPreviousWorkspace(initial);
                    if (i == layers.length - 1) {
                        ((IOutputLayer) layer).setLabels(labels);
                        current = layer.backpropGradient(null, mgr);
                    } else if (layer instanceof RecurrentLayer rnn) {
                        current = rnn.tbpttBackpropGradient(current.getSecond(), tbpttLength, mgr);
                    } else {
                        current = layer.backpropGradient(current.getSecond(), mgr);
                    }
                    // the gradient's variables in flattening order: this layer's go in front of the later layers'
                    List<Map.Entry<String, INDArray>> vars = new ArrayList<>(current.getFirst().gradientForVariable().entrySet());
                    for (int v = vars.size() - 1; v >= 0; v--) {
                        String name = vars.get(v).getKey();
                        entries.addFirst(new GradientEntry(i + "_" + name, vars.get(v).getValue(),
                                current.getFirst().flatteningOrderForVariable(name)));
                    }
                    if (getLayerWiseConfigurations().getInputPreProcess(i) != null && current.getSecond() != null) {
                        current = new Pair<>(current.getFirst(), getLayerWiseConfigurations().getInputPreProcess(i)
                                .backprop(current.getSecond(), getInputMiniBatchSize(), mgr));
                    }
                }
                if (previousGradients != null) {
                    previousGradients.close(); // the layer above's epsilon has been used
                }
                previousGradients = gradients;
            }
        } finally {
            if (previousGradients != null) {
                previousGradients.close();
            }
            Nd4j.getMemoryManager().setCurrentWorkspace(initial);
        }
        Gradient result = new DefaultGradient(flattenedGradients);
        for (GradientEntry e : entries) {
            result.setGradientFor(e.key(), e.array(), e.order());
        }
        return new Pair<>(result, null);
    }

    /** DL4J's backprop workspaces, with {@code activationGradients} for the epsilon a layer hands down. */
    private LayerWorkspaceMgr backpropWorkspaces(String activationGradients) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.builder()
                .with(ArrayType.ACTIVATIONS, WS_LAYER_WORKING_MEM, WS_LAYER_WORKING_MEM_CONFIG)
                .with(ArrayType.INPUT, WS_ALL_LAYERS_ACT, WS_ALL_LAYERS_ACT_CONFIG)
                .with(ArrayType.ACTIVATION_GRAD, activationGradients, WS_LAYER_ACT_X_CONFIG)
                .with(ArrayType.FF_WORKING_MEM, WS_LAYER_WORKING_MEM, WS_LAYER_WORKING_MEM_CONFIG)
                .with(ArrayType.BP_WORKING_MEM, WS_LAYER_WORKING_MEM, WS_LAYER_WORKING_MEM_CONFIG)
                .with(ArrayType.RNN_FF_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM_CONFIG)
                .with(ArrayType.RNN_BP_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM, WS_RNN_LOOP_WORKING_MEM_CONFIG)
                .build();
        mgr.setHelperWorkspacePointers(helperWorkspaces);
        return mgr;
    }

    /** One variable's gradient: {@code layer_param}, its view, its flattening order (null = default). */
    private record GradientEntry(String key, INDArray array, Character order) {
    }

    // DL4J's computeGradientAndScore(LayerWorkspaceMgr), which the solver calls, delegates to this one.
    @Override
    public void computeGradientAndScore() {
        boolean split = replicas != null && segmentFeatures != null;
        double norm;
        if (split) {
            norm = replicas.computeGradientAndScore(segmentFeatures, segmentLabels);
        } else {
            super.computeGradientAndScore();
            norm = flattenedGradients.norm2Number().doubleValue();
        }
        ResidentSizeCheck.check(); // once a step: JavaCPP's per-allocation check is off (ResidentSizeCheck)
        // With miniBatch on (DL4J's summed loss), the updater divides by the batch rows after this point.
        double divisor = conf().isMiniBatch() ? batchSize() : 1;
        lastGradientNorm = norm / divisor;
        if (globalClip > 0 && lastGradientNorm > globalClip) {
            if (split) {
                replicas.scaleGradient(globalClip / lastGradientNorm);
            } else {
                flattenedGradients.muli(globalClip / lastGradientNorm);
            }
        }
    }

    /**
     * The regularisation term DL4J adds to {@link #score()}, or 0 inside fit's training steps: the
     * trainer reports the data loss alone ({@link #lastLossSum}), the updater applies the weight
     * decay to the gradient without this term, and computing it is a pass over every parameter,
     * twice a step (3% of a small-model step).
     */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return inTrainingStep || replicaScore ? 0 : super.calcRegularizationScore(backpropParamsOnly);
    }

    /** Makes {@link #score()} the data loss alone from now on (a replica's, which only training steps read). */
    void reportDataLossOnly() {
        replicaScore = true;
    }

    /** DL4J's gradient and score of this network's own input and labels, without clipping. */
    void computeOwnGradientAndScore() {
        super.computeGradientAndScore();
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
    @SuppressWarnings("try") // the workspace scope is entered, not used
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
            INDArray segmentIn = input.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(start, end));
            INDArray segmentOut = labels.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(start, end));
            if (replicas != null) {
                // this network computes the first row block; computeGradientAndScore hands out the others
                RowBlocks blocks = new RowBlocks((int) batch, replicas.count());
                segmentFeatures = segmentIn;
                segmentLabels = segmentOut;
                segmentIn = segmentIn.get(NDArrayIndex.interval(0, blocks.end(0)), NDArrayIndex.all(), NDArrayIndex.all());
                segmentOut = segmentOut.get(NDArrayIndex.interval(0, blocks.end(0)), NDArrayIndex.all(), NDArrayIndex.all());
            }
            setInput(segmentIn);
            setLabels(segmentOut);
            if (solver == null) {
                try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    solver = new Solver.Builder().configure(conf()).listeners(getListeners()).model(this).build();
                }
            }
            // score() = (sum of the segment's per-token losses) / (batch rows, or every token with the
            // token-mean loss), without the regularisation term (calcRegularizationScore)
            inTrainingStep = true;
            try {
                solver.optimize(workspaceMgr);
            } finally {
                inTrainingStep = false;
                segmentFeatures = null;
                segmentLabels = null;
            }
            lossSum += score() * (conf().isMiniBatch() ? batch : batch * (end - start));
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
