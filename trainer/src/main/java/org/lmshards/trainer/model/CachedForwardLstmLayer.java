package org.lmshards.trainer.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
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
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's {@link LSTM} layer whose training pass keeps its forward activations for the backward
 * pass and multiplies whole segments at once, as PyTorch's CPU LSTM does.
 *
 * <p>DL4J 1.0.0-M2.1's own LSTM ({@code LSTMHelpers}) runs the forward pass a second time inside
 * backprop (its forward cache is switched off), multiplies the input weights one time step at a
 * time, and accumulates the weight gradients as one rank-{@code batch} update per time step, each
 * of which reads and writes the whole gradient matrix: at the AWD-LSTM size (1152 units) that is
 * 21 MB per step and per layer, memory-bound. Here the input projection of a segment is one
 * matrix product per gate ({@code [time x batch, nIn] x [nIn, n]}), only the recurrent products
 * and the gate arithmetic run per time step, the gates, cell states and outputs are kept in
 * buffers the layer owns, each gate in a plane of its own so that element-wise work runs on
 * contiguous memory, and the weight gradients and the input gradient are one product per gate
 * over the whole segment. At small sizes a step's cost is the number of ND4J calls, not their
 * arithmetic (a view or an element-wise op costs microseconds of Java and JNI work), so every time
 * step's views are made once per buffer shape, its recurrent products, element-wise products and
 * sums keep their native op contexts ({@link BoundOp}), and the backward pass's per-step
 * element-wise work is seven ops.
 * The equations, DL4J's gate blocks ({@code [g, f, o, i]}: cell input with the layer's
 * activation, then the forget, output and input gates), parameters and saved models are DL4J's;
 * {@code LstmStandInTest} compares outputs, carried state and every gradient with DL4J's layer in
 * float64 and float32, with and without dropout.
 *
 * <p>Only the truncated-BPTT path ({@link #rnnActivateUsingStoredState} and
 * {@link #tbpttBackpropGradient}) and inference ({@link #rnnTimeStep}) are replaced, and only for what the trainer builds (the
 * conditions of {@code StandInLstmLayer}, a backward length covering the segment);
 * anything else, and a backward pass without its forward pass, goes through DL4J's code.
 * {@link LayerSwap} decides which layers get this class.
 */
public class CachedForwardLstmLayer extends StandInLstmLayer {
    private static final long serialVersionUID = 1L;
    /** DL4J's LSTM gate blocks: cell input, forget, output, input. */
    private static final int GATES = 4;
    private static final boolean LEGACY_TANH = "legacy".equals(System.getProperty("lmshards.lstm.tanh"));

    /** The last training forward pass, kept for the backward pass; buffers are reused between segments. */
    private transient SegmentBuffers buffers;
    /**
     * From how many elements of a time step's cell ({@code batch x units}) its two {@code tanh}s go
     * to libnd4j's declarable op (oneDNN in the oneDNN build) instead of the legacy transform, and
     * from how many its three sigmoids go to the same op as {@code (1 + tanh(z / 2)) / 2} (the gate
     * products halve z) instead of the declarable {@code sigmoid}, a scalar loop. Measured per call
     * on one thread / two ({@code LstmStepOpsBenchmark}): {@code tanh} on {@code [32, 128]} 20
     * against 5.2 / 20 against 11 microseconds, on {@code [16, 128]} 10.7 against 5.0 / 16.5
     * against 11.6; a sigmoid on {@code [64, 1152]} 190 against 37 / 105 against 40, on
     * {@code [32, 400]} 35 against 12 / 25 against 25, on {@code [16, 128]} 7.3 against 6.3 / 9.1
     * against 23.
     * {@code -Dlmshards.lstm.tanh=legacy} turns both off (for A/B runs).
     */
    private long declarableTanhFrom = LEGACY_TANH ? Long.MAX_VALUE : 2_048;
    private long sigmoidByTanhFrom = LEGACY_TANH ? Long.MAX_VALUE : 16_384;
    /** The (dropped-out) input the kept forward pass saw; null when nothing is kept. */
    private transient INDArray keptInput;

    public CachedForwardLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        keptInput = null;
        if (!supported(input)) {
            return super.rnnActivateUsingStoredState(input, training, storeLastForTBPTT, workspaceMgr);
        }
        INDArray out = forward(input, training, tBpttStateMap, storeLastForTBPTT, workspaceMgr);
        if (training) {
            keptInput = this.input;
        }
        return out;
    }

    /**
     * Inference carrying {@code rnnTimeStep}'s state (evaluation, validation, generation): the same
     * forward pass. DL4J's own ({@code LSTMHelpers}) took 40% of an evaluation at the small size,
     * with an ND4J call per gate and per element-wise op of every time step. A single time step
     * (generation's token loop) stays with DL4J's: the forward pass copies the recurrent weights
     * row-major once a call, which at the AWD size cost more than one step's products (generating
     * 200 tokens took 15.6 s against 15.0).
     */
    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        keptInput = null;
        if (!supported(input) || input.size(2) == 1) {
            return super.rnnTimeStep(input, workspaceMgr);
        }
        return forward(input, false, stateMap, true, workspaceMgr);
    }

    /** The forward pass from the state in {@code state}, where it leaves the last step's state if {@code storeLast}. */
    @SuppressWarnings("try") // the resource is held for its scope, not used
    private INDArray forward(INDArray input, boolean training, Map<String, INDArray> state, boolean storeLast,
                             LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = this.input.castTo(dataType);
        int batch = (int) x.size(0);
        int steps = (int) x.size(2);
        int units = units();
        SegmentBuffers b = buffers(batch, steps, (int) x.size(1), units);
        INDArray inputWeights = getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, training, workspaceMgr).castTo(dataType);
        INDArray recurrentWeights = getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, training, workspaceMgr).castTo(dataType);
        INDArray bias = getParamWithNoise(LSTMParamInitializer.BIAS_KEY, training, workspaceMgr).castTo(dataType);
        INDArray h0 = state.get(STATE_KEY_PREV_ACTIVATION);
        INDArray c0 = state.get(STATE_KEY_PREV_MEMCELL);
        b.start(h0, c0);

        // rows in (time, batch) order: each gate's input projection of the whole segment in one product
        b.x.reshape('c', steps, batch, x.size(1)).assign(x.permute(2, 0, 1));
        INDArray biasRow = bias.reshape(1, 4L * units);
        for (int k = 0; k < GATES; k++) {
            double scale = b.preScale(k);
            Nd4j.gemm(b.x, gateBlock(inputWeights, k, units), b.gates[k], false, false, scale, 0.0);
            INDArray gateBias = gateBlock(biasRow, k, units);
            b.gates[k].addiRowVector(scale == 1.0 ? gateBias : gateBias.mul(scale));
            b.recurrentRowMajor[k].assign(gateBlock(recurrentWeights, k, units));
        }
        for (int t = 0; t < steps; t++) {
            Step now = b.step(t);
            now.recurrentProducts.forEach(BoundOp::run);
            now.cellInputTanh.run();
            now.gateSigmoids.forEach(BoundOp::run);
            now.keepCell.run();
            now.inputTimesCell.run();
            now.addToCell.run();
            now.cellTanh.run();
            now.output.run();
        }
        if (storeLast) {
            // the carried state outlives this step's workspaces, as DL4J's detach() would make it
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                state.put(STATE_KEY_PREV_ACTIVATION, b.step(steps - 1).h.dup('c'));
                state.put(STATE_KEY_PREV_MEMCELL, b.step(steps - 1).c.dup('c'));
            }
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {steps, batch, units}, 'c');
        out.assign(b.h.reshape('c', steps, batch, units));
        return out.permute(1, 2, 0);
    }

    /**
     * The segment's gradients from the kept forward pass: the gate derivatives' factors that do
     * not depend on the error for the whole segment at once, then per time step the recurrent
     * product and one product per gate (in place of the kept gates), then one product each for the
     * input weights, the recurrent weights and the input. Nothing flows into the carried state:
     * truncated BPTT.
     */
    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
                                                          LayerWorkspaceMgr workspaceMgr) {
        SegmentBuffers b = buffers;
        if (keptInput == null || keptInput != input || b == null || epsilon == null || epsilon.rank() != 3
                || tbpttBackLength < b.steps || epsilon.size(0) != b.batch || epsilon.size(2) != b.steps) {
            keptInput = null;
            return super.tbpttBackpropGradient(epsilon, tbpttBackLength, workspaceMgr);
        }
        keptInput = null;
        int batch = b.batch;
        int steps = b.steps;
        int units = b.units;
        INDArray inputWeights = getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr).castTo(dataType);
        INDArray recurrentWeights = getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr).castTo(dataType);

        // dL/dh from the layer above, rows in (time, batch) order; the recurrent part is added per step
        b.dh.reshape('c', steps, batch, units).assign(epsilon.castTo(dataType).permute(2, 0, 1));
        b.toDerivativeFactors();
        for (int k = 0; k < GATES; k++) {
            // W_k^T row-major is DL4J's column-major W_k as it lies: a plain copy
            b.recurrentTransposed[k].assign(gateBlock(recurrentWeights, k, units).transpose());
        }
        // each step's gate derivatives overwrite its factors (in the gate planes) once they are used
        for (int t = steps - 1; t >= 0; t--) {
            Step now = b.step(t);
            if (t < steps - 1) {
                b.step(t + 1).recurrentErrors.forEach(BoundOp::run);
            }
            // dc = dh * o (1 - tanh(c)^2) + dc(t+1) * f(t+1)
            now.cellError.run();
            if (t < steps - 1) {
                now.addNextCellError.run();
            }
            now.outputGateError.run();
            now.nextCellError.run(); // the cell error handed to step t-1, before f becomes df
            now.forgetGateError.run();
            now.inputGateError.run();
            now.cellInputError.run();
        }

        Gradient gradient = new DefaultGradient();
        INDArray inputWeightGrad = gradientViews.get(LSTMParamInitializer.INPUT_WEIGHT_KEY);
        INDArray recurrentWeightGrad = gradientViews.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray biasGrad = gradientViews.get(LSTMParamInitializer.BIAS_KEY);
        INDArray biasGradRow = biasGrad.reshape(1, 4L * units);
        INDArray inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {steps, batch, b.x.size(1)}, 'c');
        INDArray inputGrad2d = inputGrad.reshape('c', (long) steps * batch, b.x.size(1));
        for (int k = 0; k < GATES; k++) {
            INDArray dz = b.gates[k];
            MatrixProducts.gemm(b.x, dz, gateBlock(inputWeightGrad, k, units), true, false, 1.0, 0.0);
            // the recurrent weights saw h(t-1): the carried h0, then the segment's own outputs
            INDArray recurrentGrad = gateBlock(recurrentWeightGrad, k, units);
            MatrixProducts.gemm(b.h0, b.step(0).gates[k], recurrentGrad, true, false, 1.0, 0.0);
            if (steps > 1) {
                MatrixProducts.gemm(b.hExceptLast, b.gatesExceptFirst[k], recurrentGrad, true, false, 1.0, 1.0);
            }
            // dz's column sums as a product with ones: 15 times faster than a column reduction
            Nd4j.gemm(b.ones, dz, gateBlock(biasGradRow, k, units), false, false, 1.0, 0.0);
            Nd4j.gemm(dz, gateBlock(inputWeights, k, units), inputGrad2d, false, true, 1.0, k == 0 ? 0.0 : 1.0);
        }
        gradient.gradientForVariable().put(LSTMParamInitializer.INPUT_WEIGHT_KEY, inputWeightGrad);
        gradient.gradientForVariable().put(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, recurrentWeightGrad);
        gradient.gradientForVariable().put(LSTMParamInitializer.BIAS_KEY, biasGrad);

        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropInputDropOut(inputGrad));
    }

    /**
     * The input dropout's backward pass on {@code inputGrad} ({@code [time, batch, nIn]}), returned
     * as DL4J's {@code [batch, nIn, time]}. {@code SpatialDropout}'s mask is one value per (row,
     * feature), so in this layout it is one row vector over {@code [time, batch x nIn]}: DL4J's own
     * backprop broadcast it over the permuted view, one strided time series per (row, feature):
     * 152 against 0.67 ms for a 1152-unit layer's segment at the AWD size ({@code LstmLayoutBenchmark}).
     */
    private INDArray backpropInputDropOut(INDArray inputGrad) {
        INDArray inDl4jLayout = inputGrad.permute(1, 2, 0);
        if (!(layerConf().getIDropout() instanceof SpatialDropout)) {
            return backpropDropOutIfPresent(inDl4jLayout);
        }
        SpatialDropout dropout = (SpatialDropout) layerConf().getIDropout();
        INDArray mask = dropout.getMask();
        long steps = inputGrad.size(0), rowsTimesFeatures = inputGrad.size(1) * inputGrad.size(2);
        if (mask == null || mask.rank() != 2 || mask.size(0) != inputGrad.size(1) || mask.size(1) != inputGrad.size(2)) {
            return backpropDropOutIfPresent(inDl4jLayout);
        }
        inputGrad.reshape('c', steps, rowsTimesFeatures)
                .muliRowVector(mask.castTo(inputGrad.dataType()).reshape('c', 1, rowsTimesFeatures));
        dropout.setMask(null); // as its own backprop does: a mask serves one backward pass
        return inDl4jLayout;
    }

    private boolean supported(INDArray in) {
        return standsIn(in) && in.size(2) > 0
                && getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY).size(1) == 4L * units();
    }

    /**
     * Sets {@link #declarableTanhFrom} and {@link #sigmoidByTanhFrom} (tests run both paths on
     * small layers); takes effect with the next buffers.
     */
    void useDeclarableTanhFrom(long elements) {
        declarableTanhFrom = elements;
        sigmoidByTanhFrom = elements;
        if (buffers != null) {
            buffers.close();
            buffers = null;
        }
    }

    /** {@code [batch, time steps]} of the buffers the last forward pass of this class used; null before any (tests). */
    int[] bufferShape() {
        return buffers == null ? null : new int[] {buffers.batch, buffers.steps};
    }

    private SegmentBuffers buffers(int batch, int steps, int nIn, int units) {
        if (buffers == null || !buffers.fits(batch, steps, nIn, units, dataType)) {
            if (buffers != null) {
                buffers.close();
            }
            buffers = null; // let the old ones go before allocating
            buffers = new SegmentBuffers(batch, steps, nIn, units, dataType, declarableTanhFrom, sigmoidByTanhFrom);
        }
        return buffers;
    }

    /** Gate {@code k}'s block ({@code [g, f, o, i]}) of DL4J's {@code [rows, 4 units]} weights, bias or gradient. */
    private static INDArray gateBlock(INDArray fourGates, int k, int units) {
        return fourGates.get(NDArrayIndex.all(), NDArrayIndex.interval((long) k * units, (long) (k + 1) * units));
    }

    /**
     * One segment's arrays, rows in (time, batch) order so that a time step is a contiguous row
     * block, and the gates in four planes ({@code [4, time x batch, units]}, DL4J's order) so that
     * every gate of every time step is contiguous too: libnd4j's element-wise ops run 7 to 25
     * times slower on a strided view than on contiguous memory (a gate's columns of an interleaved
     * {@code [rows, 4 units]} array). Allocated outside DL4J's workspaces because they live from
     * the forward pass to the backward pass and are reused by the next segment of the same shape.
     */
    private static final class SegmentBuffers implements AutoCloseable {
        final int batch, steps, nIn, units;
        final DataType type;
        final INDArray x, c, tanhC, h, dh, dc, dcNext, tmp;
        /**
         * Each gate's plane of the gate pre-activations, then activations, then derivative factors,
         * then errors ({@code [time x batch, units]} of one {@code [4, time x batch, units]} array),
         * and the same without the first time step's rows.
         */
        final INDArray[] gates, gatesExceptFirst;
        /** Each gate's recurrent weights row-major ({@code W_k}) and transposed ({@code W_k^T}), {@code [units, units]} each. */
        final INDArray[] recurrentRowMajor, recurrentTransposed;
        /** {@code [1, time x batch]} ones: the bias gradient as a product. */
        final INDArray ones;
        /** The forget gates' derivative factors {@code c(t-1) f (1 - f)} of the whole segment (backward pass only). */
        final INDArray forgetFactors;
        /** {@code h} without the last step's rows: beside each gate without the first's, the recurrent weights' gradient. */
        final INDArray hExceptLast;
        /** {@code c} without the last step's rows and the forget factors without the first's: {@code c(t-1)} beside step t. */
        final INDArray cExceptLast, forgetFactorsExceptFirst;
        final INDArray h0, c0;
        /**
         * {@code [batch, units]} of 0.5 where a step's sigmoids go through {@code tanh} (see
         * {@link CachedForwardLstmLayer#sigmoidByTanhFrom}); null elsewhere.
         */
        final INDArray halves;
        /** Whether a step's {@code tanh}s go to the declarable op (see {@link CachedForwardLstmLayer#declarableTanhFrom}). */
        final boolean declarableTanh;
        /** Every time step's views, made once: an ND4J view costs more than a small op. */
        private final Step[] stepViews;
        /** The same views over the whole segment. */
        private final Step all;

        @SuppressWarnings("try") // the scope is entered, not used
        SegmentBuffers(int batch, int steps, int nIn, int units, DataType type, long declarableTanhFrom,
                       long sigmoidByTanhFrom) {
            this.batch = batch;
            this.steps = steps;
            this.nIn = nIn;
            this.units = units;
            this.type = type;
            this.declarableTanh = (long) batch * units >= declarableTanhFrom;
            long rows = (long) batch * steps;
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                x = Nd4j.createUninitialized(type, new long[] {rows, nIn}, 'c');
                INDArray z = Nd4j.createUninitialized(type, new long[] {GATES, rows, units}, 'c');
                c = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                tanhC = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                h = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                dh = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                dc = Nd4j.createUninitialized(type, new long[] {batch, units}, 'c');
                dcNext = Nd4j.createUninitialized(type, new long[] {batch, units}, 'c');
                tmp = Nd4j.createUninitialized(type, new long[] {batch, units}, 'c');
                forgetFactors = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                INDArray weights = Nd4j.createUninitialized(type, new long[] {2 * GATES, units, units}, 'c');
                ones = Nd4j.ones(type, 1, rows);
                halves = (long) batch * units >= sigmoidByTanhFrom ? Nd4j.valueArrayOf(new long[] {batch, units}, 0.5, type) : null;
                h0 = Nd4j.create(type, new long[] {batch, units}, 'c');
                c0 = Nd4j.create(type, new long[] {batch, units}, 'c');
                gates = new INDArray[GATES];
                gatesExceptFirst = new INDArray[GATES];
                recurrentRowMajor = new INDArray[GATES];
                recurrentTransposed = new INDArray[GATES];
                for (int k = 0; k < GATES; k++) {
                    gates[k] = z.get(NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.all());
                    gatesExceptFirst[k] = gates[k].get(NDArrayIndex.interval((long) batch, rows), NDArrayIndex.all());
                    recurrentRowMajor[k] = weights.get(NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.all());
                    recurrentTransposed[k] = weights.get(NDArrayIndex.point(GATES + k), NDArrayIndex.all(), NDArrayIndex.all());
                }
                hExceptLast = h.get(NDArrayIndex.interval(0, rows - batch), NDArrayIndex.all());
                cExceptLast = c.get(NDArrayIndex.interval(0, rows - batch), NDArrayIndex.all());
                forgetFactorsExceptFirst = forgetFactors.get(NDArrayIndex.interval((long) batch, rows), NDArrayIndex.all());
                all = new Step(gates, c, tanhC, h, dh, forgetFactors);
                stepViews = new Step[steps];
                for (int t = 0; t < steps; t++) {
                    INDArray[] stepGates = new INDArray[GATES];
                    for (int k = 0; k < GATES; k++) {
                        stepGates[k] = rows(gates[k], t);
                    }
                    stepViews[t] = new Step(stepGates, rows(c, t), rows(tanhC, t), rows(h, t), rows(dh, t),
                            rows(forgetFactors, t));
                    stepViews[t].bindOps(t == 0 ? c0 : stepViews[t - 1].c, this);
                    stepViews[t].bindProducts(t == 0 ? h0 : stepViews[t - 1].h, t == 0 ? null : stepViews[t - 1].dh, this);
                }
            }
        }

        Step step(int t) {
            return stepViews[t];
        }

        /** The factor of gate {@code k}'s products: 1/2 for the sigmoid gates where a {@code tanh} computes them. */
        double preScale(int k) {
            return halves != null && k > 0 ? 0.5 : 1.0;
        }

        /** Frees the time steps' native op contexts. */
        @Override
        public void close() {
            for (Step s : stepViews) {
                s.closeOps();
            }
        }

        /**
         * Turns the kept forward pass into the factors of the gate derivatives that do not depend
         * on the error, for the whole segment at once, so that each backward time step needs one
         * product per gate: the cell input's {@code i (1 - g^2)} and the input gate's
         * {@code g i (1 - i)} and output gate's {@code tanh(c) o (1 - o)} in place of those gates,
         * the cell error's {@code o (1 - tanh(c)^2)} in place of {@code tanh(c)}, and the forget
         * gate's {@code c(t-1) f (1 - f)} in {@link #forgetFactors}; {@code f} itself stays.
         */
        void toDerivativeFactors() {
            INDArray seg = forgetFactors; // scratch until the forget factors go in last
            Nd4j.exec(new TimesOneMinus(all.i, seg));
            seg.muli(all.g);
            Nd4j.exec(new MulOp(all.g, all.g, all.g));
            all.g.rsubi(1.0).muli(all.i);
            all.i.assign(seg);
            Nd4j.exec(new TimesOneMinus(all.o, seg));
            seg.muli(all.tanhC);
            Nd4j.exec(new MulOp(all.tanhC, all.tanhC, all.tanhC));
            all.tanhC.rsubi(1.0).muli(all.o);
            all.o.assign(seg);
            Nd4j.exec(new TimesOneMinus(all.f, forgetFactors));
            stepViews[0].forgetFactor.muli(c0);
            if (steps > 1) {
                forgetFactorsExceptFirst.muli(cExceptLast);
            }
        }

        boolean fits(int batch, int steps, int nIn, int units, DataType type) {
            return this.batch == batch && this.steps == steps && this.nIn == nIn && this.units == units && this.type == type;
        }

        /** The carried state the segment starts from (zeros where there is none). */
        void start(INDArray h, INDArray c) {
            assignOrZero(h0, h);
            assignOrZero(c0, c);
        }

        private static void assignOrZero(INDArray target, INDArray state) {
            if (state == null) {
                target.assign(0);
            } else {
                target.assign(state);
            }
        }

        /** Time step {@code t}'s {@code [batch, columns]} row block of a (time, batch)-ordered array. */
        private INDArray rows(INDArray array, int t) {
            return array.get(NDArrayIndex.interval((long) t * batch, (long) (t + 1) * batch), NDArrayIndex.all());
        }
    }

    /**
     * One time step's row blocks of the segment buffers, its gates from the four gate planes in
     * DL4J's {@code [g, f, o, i]} order: cell input, then the forget, output and input gates.
     */
    private static final class Step {
        final INDArray c, tanhC, h, dh, forgetFactor;
        final INDArray g, f, o, i;
        final INDArray[] gates;
        /** Forward: {@code z_k += h(t-1) W_k} for each gate. */
        List<BoundOp> recurrentProducts;
        /** Backward, on this step's gate errors: {@code dh(t-1) += dz_k W_k^T} for each gate (none at t = 0). */
        List<BoundOp> recurrentErrors;
        /** {@code f, o, i = sigmoid(f, o, i)}. */
        List<BoundOp> gateSigmoids;
        /** Forward: {@code c = f c(t-1)}, {@code tmp = i g}, {@code c += tmp}, {@code h = o tanh(c)}. */
        BoundOp keepCell, inputTimesCell, addToCell, output;
        /** {@code g = tanh(g)} and {@code tanhC = tanh(c)}: the bound declarable op, or the legacy transform. */
        Runnable cellInputTanh, cellTanh;
        /**
         * Backward, on the derivative factors: the cell error {@code dc = dh x}, {@code dc += dc(t+1) f(t+1)},
         * the next step's {@code dcNext = dc f}, and each gate's error in place of its factor.
         */
        BoundOp cellError, addNextCellError, nextCellError, outputGateError, forgetGateError, inputGateError, cellInputError;
        /** Every op {@link #bindOps} and {@link #bindProducts} made, to free together. */
        private final List<BoundOp> boundOps = new ArrayList<>();

        Step(INDArray[] gates, INDArray c, INDArray tanhC, INDArray h, INDArray dh, INDArray forgetFactor) {
            this.gates = gates;
            this.g = gates[0];
            this.f = gates[1];
            this.o = gates[2];
            this.i = gates[3];
            this.c = c;
            this.tanhC = tanhC;
            this.h = h;
            this.dh = dh;
            this.forgetFactor = forgetFactor;
        }

        /**
         * Binds this step's element-wise ops to its views, {@code cPrev} (the carried or the last
         * step's cell) and the scratch rows; its {@code tanh}s and sigmoids as the buffers' sizes decide.
         */
        void bindOps(INDArray cPrev, SegmentBuffers b) {
            cellInputTanh = b.declarableTanh ? bound(BoundOp.tanh(g, g))::run : () -> Nd4j.exec(new Tanh(g, g));
            cellTanh = b.declarableTanh ? bound(BoundOp.tanh(c, tanhC))::run : () -> Nd4j.exec(new Tanh(c, tanhC));
            List<BoundOp> sigmoids = new ArrayList<>();
            for (INDArray gate : List.of(f, o, i)) {
                if (b.halves != null) {
                    // the products left z / 2 in the gate: sigmoid(z) = tanh(z / 2) / 2 + 1 / 2
                    sigmoids.add(bound(BoundOp.tanh(gate, gate)));
                    sigmoids.add(bound(BoundOp.axpy(0.5, gate, b.halves, gate)));
                } else {
                    sigmoids.add(bound(BoundOp.sigmoid(gate, gate)));
                }
            }
            gateSigmoids = List.copyOf(sigmoids);
            keepCell = bound(BoundOp.multiply(f, cPrev, c));
            inputTimesCell = bound(BoundOp.multiply(i, g, b.tmp));
            addToCell = bound(BoundOp.add(c, b.tmp, c));
            output = bound(BoundOp.multiply(o, tanhC, h));
            cellError = bound(BoundOp.multiply(dh, tanhC, b.dc));
            addNextCellError = bound(BoundOp.add(b.dc, b.dcNext, b.dc));
            outputGateError = bound(BoundOp.multiply(dh, o, o));
            nextCellError = bound(BoundOp.multiply(b.dc, f, b.dcNext));
            forgetGateError = bound(BoundOp.multiply(b.dc, forgetFactor, f));
            inputGateError = bound(BoundOp.multiply(b.dc, i, i));
            cellInputError = bound(BoundOp.multiply(b.dc, g, g));
        }

        /**
         * Binds this step's recurrent products: forward from {@code hPrev} (h0 or the last step's
         * output), backward into {@code dhPrev} (the last step's output error; null at t = 0).
         */
        void bindProducts(INDArray hPrev, INDArray dhPrev, SegmentBuffers b) {
            List<BoundOp> forward = new ArrayList<>();
            List<BoundOp> backward = new ArrayList<>();
            for (int k = 0; k < GATES; k++) {
                forward.add(bound(BoundOp.accumulateProduct(b.preScale(k), hPrev, b.recurrentRowMajor[k], gates[k])));
                if (dhPrev != null) {
                    backward.add(bound(BoundOp.accumulateProduct(gates[k], b.recurrentTransposed[k], dhPrev)));
                }
            }
            recurrentProducts = List.copyOf(forward);
            recurrentErrors = List.copyOf(backward);
        }

        private BoundOp bound(BoundOp op) {
            boundOps.add(op);
            return op;
        }

        void closeOps() {
            boundOps.forEach(BoundOp::close);
            boundOps.clear();
        }
    }
}
