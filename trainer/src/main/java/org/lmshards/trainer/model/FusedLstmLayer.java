package org.lmshards.trainer.model;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's {@link LSTM} layer whose training passes run as libnd4j's fused {@code lstmLayer} and
 * {@code lstmLayer_bp} ops: one native call for a whole segment's forward pass and one for its
 * backward pass.
 *
 * <p>DL4J 1.0.0-M2.1's own LSTM ({@code LSTMHelpers}) issues a dozen native calls per time step
 * in each direction, and its backward pass runs the forward pass again (the layer's forward
 * cache is off): on the small model that was most of a training step after the output layer
 * (docs/MODEL.md, "Speed notes"). The fused ops compute the same equations; only the gate order
 * differs, DL4J's {@code [g, f, o, i]} blocks against libnd4j's {@code [i, f, g, o]}, so the
 * weights are handed over re-ordered and the gradients come back re-ordered into DL4J's views
 * (a few hundred kilobytes per call). Parameters, configuration and saved models stay DL4J's;
 * {@link LayerSwap} puts this class in place of the stock one when the network initialises.
 *
 * <p>Only the truncated-BPTT training path ({@link #rnnActivateUsingStoredState} and
 * {@link #tbpttBackpropGradient}) is replaced, and only for what the trainer builds (the
 * conditions of {@code StandInLstmLayer}) with a backward length covering the segment;
 * since {@link CachedForwardLstmLayer} became faster at every size, it is used only when asked
 * for ({@code -Dlmshards.lstm=fused}), for comparisons. Anything else, and inference
 * ({@code activate}, {@code rnnTimeStep}), goes through DL4J's code.
 */
public class FusedLstmLayer extends StandInLstmLayer {
    private static final long serialVersionUID = 1L;

    /** libnd4j's gate block {@code k} (i, f, g, o) is DL4J's block {@code DL4J_BLOCK[k]} (g, f, o, i). */
    private static final int[] DL4J_BLOCK = {3, 1, 0, 2};

    // lstmLayer's integer arguments: data format 2 = [batch, features, time], direction 0 = forward,
    // gate activation 2 = sigmoid, cell and output activations 0 = tanh
    private static final int[] OP_INT_ARGS = {2, 0, 2, 0, 0};

    /** The parameters in the order of the ops' weight inputs and gradient outputs. */
    private static final String[] PARAM_KEYS = {LSTMParamInitializer.INPUT_WEIGHT_KEY,
            LSTMParamInitializer.RECURRENT_WEIGHT_KEY, LSTMParamInitializer.BIAS_KEY};

    public FusedLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    @SuppressWarnings("try") // the scope is entered, not used
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        if (!standsIn(input)) {
            return super.rnnActivateUsingStoredState(input, training, storeLastForTBPTT, workspaceMgr);
        }
        setInput(input, workspaceMgr);
        applyDropOutIfNecessary(training, workspaceMgr);
        DataType type = dataType;
        INDArray x = this.input.castTo(type);
        long batch = x.size(0);
        long steps = x.size(2);
        long units = units();
        INDArray h0 = tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION);
        INDArray c0 = tBpttStateMap.get(STATE_KEY_PREV_MEMCELL);
        INDArray[] w = opWeights(training, workspaceMgr, ArrayType.FF_WORKING_MEM);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {batch, units, steps}, 'c');
        INDArray lastH;
        INDArray lastC;
        if (storeLastForTBPTT) {
            // the carried state outlives this step's workspaces, as DL4J's detach() would make it
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                lastH = Nd4j.createUninitialized(type, batch, units);
                lastC = Nd4j.createUninitialized(type, batch, units);
            }
        } else {
            lastH = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, type, batch, units);
            lastC = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, type, batch, units);
        }
        List<INDArray> inputs = opInputs(x, w, h0, c0);
        Nd4j.exec(DynamicCustomOp.builder("lstmLayer")
                .addInputs(inputs.toArray(INDArray[]::new))
                .addOutputs(out, lastH, lastC)
                .addIntegerArguments(OP_INT_ARGS)
                // bias, no sequence lengths, initial h, initial c, no peepholes; return h, last h, last c
                .addBooleanArguments(true, false, h0 != null, c0 != null, false, true, true, true)
                .addFloatingPointArguments(0.0) // no cell clipping
                .build());
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, lastH);
            tBpttStateMap.put(STATE_KEY_PREV_MEMCELL, lastC);
        }
        return out;
    }

    /**
     * The segment's gradients in one native call, which recomputes the forward pass from the
     * state the segment started from ({@code rnnGetPreviousState}, as DL4J's TBPTT backward pass
     * does) without a native call per time step. Nothing flows into that state: truncated BPTT.
     */
    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
                                                          LayerWorkspaceMgr workspaceMgr) {
        if (!standsIn(input) || tbpttBackLength < input.size(2) || epsilon == null || epsilon.rank() != 3) {
            return super.tbpttBackpropGradient(epsilon, tbpttBackLength, workspaceMgr);
        }
        assertInputSet(true);
        applyDropOutIfNecessary(true, workspaceMgr);
        DataType type = dataType;
        INDArray x = input.castTo(type);
        long batch = x.size(0);
        long units = units();
        INDArray h0 = stateMap.get(STATE_KEY_PREV_ACTIVATION);
        INDArray c0 = stateMap.get(STATE_KEY_PREV_MEMCELL);
        INDArray[] w = opWeights(true, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, type, x.shape(), 'c');
        INDArray[] weightGrads = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            weightGrads[i] = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, w[i].shape(), 'c');
        }
        List<INDArray> inputs = opInputs(x, w, h0, c0);
        inputs.add(epsilon.castTo(type));
        List<INDArray> outputs = new ArrayList<>(List.of(inputGrad, weightGrads[0], weightGrads[1], weightGrads[2]));
        for (INDArray state : new INDArray[] {h0, c0}) {
            if (state != null) { // its gradient, unused: nothing flows into the carried state
                outputs.add(workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, batch, units));
            }
        }
        Nd4j.exec(DynamicCustomOp.builder("lstmLayer_bp")
                .addInputs(inputs.toArray(INDArray[]::new))
                .addOutputs(outputs.toArray(INDArray[]::new))
                .addIntegerArguments(OP_INT_ARGS)
                // bias, no sequence lengths, initial h, initial c, no peepholes; dL/dh given for every step only
                .addBooleanArguments(true, false, h0 != null, c0 != null, false, true, false, false)
                .addFloatingPointArguments(0.0)
                .build());
        Gradient gradient = new DefaultGradient();
        for (int i = 0; i < 3; i++) {
            INDArray view = gradientViews.get(PARAM_KEYS[i]);
            toDl4jOrder(weightGrads[i].reshape(view.shape()), view);
            gradient.gradientForVariable().put(PARAM_KEYS[i], view);
        }
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGrad));
    }

    /**
     * Input, weights and the initial state where there is one, as both ops take them (the
     * builder's {@code addInputs} replaces what an earlier call added, so the list goes in at once).
     */
    private List<INDArray> opInputs(INDArray x, INDArray[] w, INDArray h0, INDArray c0) {
        List<INDArray> inputs = new ArrayList<>(List.of(x, w[0], w[1], w[2]));
        for (INDArray state : new INDArray[] {h0, c0}) {
            if (state != null) {
                inputs.add(state.castTo(dataType));
            }
        }
        return inputs;
    }

    /** Input weights {@code [nIn, 4n]}, recurrent weights {@code [n, 4n]} and bias {@code [4n]}, in libnd4j's gate order. */
    private INDArray[] opWeights(boolean training, LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        INDArray[] out = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            INDArray dl4j = getParamWithNoise(PARAM_KEYS[i], training, workspaceMgr).castTo(dataType);
            INDArray matrix = dl4j.rank() == 1 ? dl4j.reshape(1, dl4j.length()) : dl4j;
            INDArray reordered = workspaceMgr.createUninitialized(arrayType, dataType, matrix.shape(), 'c');
            long n = matrix.size(1) / 4;
            for (int k = 0; k < 4; k++) {
                block(reordered, k, n).assign(block(matrix, DL4J_BLOCK[k], n));
            }
            out[i] = i == 2 ? reordered.reshape(reordered.length()) : reordered;
        }
        return out;
    }

    /** Copies a gradient in libnd4j's gate order into DL4J's gradient view {@code target}. */
    private static void toDl4jOrder(INDArray opOrder, INDArray target) {
        INDArray matrix = opOrder.rank() == 1 ? opOrder.reshape(1, opOrder.length()) : opOrder;
        INDArray view = target.rank() == 1 ? target.reshape(1, target.length()) : target;
        long n = matrix.size(1) / 4;
        for (int k = 0; k < 4; k++) {
            block(view, DL4J_BLOCK[k], n).assign(block(matrix, k, n));
        }
    }

    private static INDArray block(INDArray matrix, int gate, long n) {
        return matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(gate * n, (gate + 1) * n));
    }
}
