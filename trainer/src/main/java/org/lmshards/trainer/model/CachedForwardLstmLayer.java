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
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
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
 * matrix product ({@code [time x batch, nIn] x [nIn, 4n]}), only the recurrent product and the
 * gate arithmetic run per time step, the gates, cell states and outputs are kept in buffers the
 * layer owns, and the three weight gradients and the input gradient are one product each over the
 * whole segment. At small sizes a step's cost is the number of ND4J calls, not their arithmetic
 * (a view or an element-wise op costs microseconds of Java and JNI work), so every time step's
 * views are made once per buffer shape, its element-wise products and sums keep their native
 * op contexts ({@link BoundOp}), and the backward pass's per-step element-wise work is seven ops.
 * The equations, DL4J's gate blocks ({@code [g, f, o, i]}: cell input with the layer's
 * activation, then the forget, output and input gates), parameters and saved models are DL4J's;
 * {@code LstmStandInTest} compares outputs, carried state and every gradient with DL4J's layer in
 * float64 and float32, with and without dropout.
 *
 * <p>Only the truncated-BPTT path ({@link #rnnActivateUsingStoredState} and
 * {@link #tbpttBackpropGradient}) is replaced, and only for what the trainer builds (the
 * conditions of {@code StandInLstmLayer}, a backward length covering the segment);
 * anything else, and a backward pass without its forward pass, goes through DL4J's code.
 * {@link LayerSwap} decides which layers get this class.
 */
public class CachedForwardLstmLayer extends StandInLstmLayer {
    private static final long serialVersionUID = 1L;

    /** The last training forward pass, kept for the backward pass; buffers are reused between segments. */
    private transient SegmentBuffers buffers;
    /**
     * From how many elements of a time step's cell a {@code tanh} goes to libnd4j's declarable op
     * (oneDNN in the oneDNN build) instead of the legacy transform: measured on one thread, the
     * declarable op is 6-12 times faster on the AWD size's blocks ({@code [64, 1152]}: 392 against
     * 62 microseconds) and slower below a few thousand elements ({@code [16, 128]}: 13 against 16-22).
     * {@code -Dlmshards.lstm.tanh=legacy} turns it off (for A/B runs).
     */
    private long declarableTanhFrom = "legacy".equals(System.getProperty("lmshards.lstm.tanh")) ? Long.MAX_VALUE : 16_384;
    /** The (dropped-out) input the kept forward pass saw; null when nothing is kept. */
    private transient INDArray keptInput;

    public CachedForwardLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    @SuppressWarnings("try") // the resource is held for its scope, not used
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        keptInput = null;
        if (!supported(input)) {
            return super.rnnActivateUsingStoredState(input, training, storeLastForTBPTT, workspaceMgr);
        }
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
        INDArray h0 = tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION);
        INDArray c0 = tBpttStateMap.get(STATE_KEY_PREV_MEMCELL);
        b.start(h0, c0);

        // rows in (time, batch) order: the input projection of the whole segment in one product
        b.x.reshape('c', steps, batch, x.size(1)).assign(x.permute(2, 0, 1));
        Nd4j.gemm(b.x, inputWeights, b.z, false, false, 1.0, 0.0);
        b.z.addiRowVector(bias.reshape(1, 4L * units));
        for (int t = 0; t < steps; t++) {
            Step now = b.step(t);
            Nd4j.gemm(t == 0 ? b.h0 : b.step(t - 1).h, recurrentWeights, now.z, false, false, 1.0, 1.0);
            now.cellInputTanh.run();
            Nd4j.exec(new Sigmoid(now.fio, now.fio));
            now.keepCell.run();
            now.inputTimesCell.run();
            now.addToCell.run();
            now.cellTanh.run();
            now.output.run();
        }
        if (storeLastForTBPTT) {
            // the carried state outlives this step's workspaces, as DL4J's detach() would make it
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, b.step(steps - 1).h.dup('c'));
                tBpttStateMap.put(STATE_KEY_PREV_MEMCELL, b.step(steps - 1).c.dup('c'));
            }
        }
        if (training) {
            keptInput = this.input;
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
        INDArray dz = b.z; // each step's gate derivatives overwrite its factors once they are used
        for (int t = steps - 1; t >= 0; t--) {
            Step now = b.step(t);
            if (t < steps - 1) {
                Nd4j.gemm(b.step(t + 1).z, recurrentWeights, now.dh, false, true, 1.0, 1.0);
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
        Nd4j.gemm(b.x, dz, inputWeightGrad, true, false, 1.0, 0.0);
        // the recurrent weights saw h(t-1): the carried h0, then the segment's own outputs
        Nd4j.gemm(b.h0, b.step(0).z, recurrentWeightGrad, true, false, 1.0, 0.0);
        if (steps > 1) {
            Nd4j.gemm(b.hExceptLast, b.zExceptFirst, recurrentWeightGrad, true, false, 1.0, 1.0);
        }
        biasGrad.assign(dz.sum(true, 0).reshape(biasGrad.shape()));
        gradient.gradientForVariable().put(LSTMParamInitializer.INPUT_WEIGHT_KEY, inputWeightGrad);
        gradient.gradientForVariable().put(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, recurrentWeightGrad);
        gradient.gradientForVariable().put(LSTMParamInitializer.BIAS_KEY, biasGrad);

        INDArray inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {steps, batch, b.x.size(1)}, 'c');
        Nd4j.gemm(dz, inputWeights, inputGrad.reshape('c', (long) steps * batch, b.x.size(1)), false, true, 1.0, 0.0);
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGrad.permute(1, 2, 0)));
    }

    private boolean supported(INDArray in) {
        return standsIn(in) && in.size(2) > 0
                && getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY).size(1) == 4L * units();
    }

    /** Sets {@link #declarableTanhFrom} (tests run both paths on small layers); takes effect with the next buffers. */
    void useDeclarableTanhFrom(long elements) {
        declarableTanhFrom = elements;
        if (buffers != null) {
            buffers.close();
            buffers = null;
        }
    }

    private SegmentBuffers buffers(int batch, int steps, int nIn, int units) {
        if (buffers == null || !buffers.fits(batch, steps, nIn, units, dataType)) {
            if (buffers != null) {
                buffers.close();
            }
            buffers = null; // let the old ones go before allocating
            buffers = new SegmentBuffers(batch, steps, nIn, units, dataType, declarableTanhFrom);
        }
        return buffers;
    }

    /**
     * One segment's arrays, rows in (time, batch) order so that a time step is a contiguous row
     * block; allocated outside DL4J's workspaces because they live from the forward pass to the
     * backward pass and are reused by the next segment of the same shape.
     */
    private static final class SegmentBuffers implements AutoCloseable {
        final int batch, steps, nIn, units;
        final DataType type;
        final INDArray x, z, c, tanhC, h, dh, dc, dcNext, tmp;
        /** The forget gates' derivative factors {@code c(t-1) f (1 - f)} of the whole segment (backward pass only). */
        final INDArray forgetFactors;
        /** {@code h} without the last step's rows and {@code z} without the first's: the recurrent weights' gradient. */
        final INDArray hExceptLast, zExceptFirst;
        /** {@code c} without the last step's rows and the forget factors without the first's: {@code c(t-1)} beside step t. */
        final INDArray cExceptLast, forgetFactorsExceptFirst;
        final INDArray h0, c0;
        /** Every time step's views, made once: an ND4J view costs more than a small op. */
        private final Step[] stepViews;
        /** The same views over the whole segment. */
        private final Step all;

        @SuppressWarnings("try") // the scope is entered, not used
        SegmentBuffers(int batch, int steps, int nIn, int units, DataType type, long declarableTanhFrom) {
            this.batch = batch;
            this.steps = steps;
            this.nIn = nIn;
            this.units = units;
            this.type = type;
            long rows = (long) batch * steps;
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                x = Nd4j.createUninitialized(type, new long[] {rows, nIn}, 'c');
                z = Nd4j.createUninitialized(type, new long[] {rows, 4L * units}, 'c');
                c = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                tanhC = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                h = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                dh = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                dc = Nd4j.createUninitialized(type, new long[] {batch, units}, 'c');
                dcNext = Nd4j.createUninitialized(type, new long[] {batch, units}, 'c');
                tmp = Nd4j.createUninitialized(type, new long[] {batch, units}, 'c');
                forgetFactors = Nd4j.createUninitialized(type, new long[] {rows, units}, 'c');
                h0 = Nd4j.create(type, new long[] {batch, units}, 'c');
                c0 = Nd4j.create(type, new long[] {batch, units}, 'c');
                hExceptLast = h.get(NDArrayIndex.interval(0, rows - batch), NDArrayIndex.all());
                cExceptLast = c.get(NDArrayIndex.interval(0, rows - batch), NDArrayIndex.all());
                forgetFactorsExceptFirst = forgetFactors.get(NDArrayIndex.interval((long) batch, rows), NDArrayIndex.all());
                zExceptFirst = z.get(NDArrayIndex.interval((long) batch, rows), NDArrayIndex.all());
                all = new Step(z, c, tanhC, h, dh, forgetFactors, units);
                stepViews = new Step[steps];
                for (int t = 0; t < steps; t++) {
                    stepViews[t] = new Step(rows(z, t), rows(c, t), rows(tanhC, t), rows(h, t), rows(dh, t),
                            rows(forgetFactors, t), units);
                    stepViews[t].bindOps(t == 0 ? c0 : stepViews[t - 1].c, this, (long) batch * units >= declarableTanhFrom);
                }
            }
        }

        Step step(int t) {
            return stepViews[t];
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
     * One time step's row blocks of the segment buffers, and its gates as views of its {@code z}
     * rows in DL4J's {@code [g, f, o, i]} layout: cell input, then the forget, output and input gates.
     */
    private static final class Step {
        final INDArray z, c, tanhC, h, dh, forgetFactor;
        final INDArray g, f, o, i;
        /** The three sigmoid gates together. */
        final INDArray fio;
        /** Forward: {@code c = f c(t-1)}, {@code tmp = i g}, {@code c += tmp}, {@code h = o tanh(c)}. */
        BoundOp keepCell, inputTimesCell, addToCell, output;
        /** {@code g = tanh(g)} and {@code tanhC = tanh(c)}: the bound declarable op, or the legacy transform. */
        Runnable cellInputTanh, cellTanh;
        /**
         * Backward, on the derivative factors: the cell error {@code dc = dh x}, {@code dc += dc(t+1) f(t+1)},
         * the next step's {@code dcNext = dc f}, and each gate's error in place of its factor.
         */
        BoundOp cellError, addNextCellError, nextCellError, outputGateError, forgetGateError, inputGateError, cellInputError;
        /** Every op {@link #bindOps} made, to free together. */
        private final List<BoundOp> boundOps = new ArrayList<>();

        Step(INDArray z, INDArray c, INDArray tanhC, INDArray h, INDArray dh, INDArray forgetFactor, int units) {
            this.z = z;
            this.forgetFactor = forgetFactor;
            this.c = c;
            this.tanhC = tanhC;
            this.h = h;
            this.dh = dh;
            this.g = columns(z, 0, units);
            this.f = columns(z, units, 2L * units);
            this.o = columns(z, 2L * units, 3L * units);
            this.i = columns(z, 3L * units, 4L * units);
            this.fio = columns(z, units, 4L * units);
        }

        /**
         * Binds this step's element-wise ops to its views, {@code cPrev} (the carried or the last
         * step's cell) and the scratch rows; its two {@code tanh}s too with {@code declarableTanh}.
         */
        void bindOps(INDArray cPrev, SegmentBuffers b, boolean declarableTanh) {
            cellInputTanh = declarableTanh ? bound(BoundOp.tanh(g, g))::run : () -> Nd4j.exec(new Tanh(g, g));
            cellTanh = declarableTanh ? bound(BoundOp.tanh(c, tanhC))::run : () -> Nd4j.exec(new Tanh(c, tanhC));
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

        private BoundOp bound(BoundOp op) {
            boundOps.add(op);
            return op;
        }

        void closeOps() {
            boundOps.forEach(BoundOp::close);
            boundOps.clear();
        }

        private static INDArray columns(INDArray z, long from, long to) {
            return z.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
        }
    }
}
