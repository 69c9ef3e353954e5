package org.lmshards.trainer.model;

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
 * whole segment. The equations, DL4J's gate blocks ({@code [g, f, o, i]}: cell input with the
 * layer's activation, then the forget, output and input gates), parameters and saved models are
 * DL4J's; {@code CachedForwardLstmLayerTest} compares outputs, carried state and every gradient
 * with DL4J's layer in float64, with and without dropout.
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
            INDArray z = b.rows(b.z, t);
            Nd4j.gemm(t == 0 ? b.h0 : b.rows(b.h, t - 1), recurrentWeights, z, false, false, 1.0, 1.0);
            INDArray g = gate(z, 0, units);
            Nd4j.exec(new Tanh(g, g));
            INDArray fio = z.get(NDArrayIndex.all(), NDArrayIndex.interval(units, 4L * units));
            Nd4j.exec(new Sigmoid(fio, fio));
            INDArray c = b.rows(b.c, t);
            Nd4j.exec(new MulOp(gate(z, 1, units), t == 0 ? b.c0 : b.rows(b.c, t - 1), c));
            Nd4j.exec(new MulOp(gate(z, 3, units), g, b.tmp));
            c.addi(b.tmp);
            INDArray tanhC = b.rows(b.tanhC, t);
            Nd4j.exec(new Tanh(c, tanhC));
            Nd4j.exec(new MulOp(gate(z, 2, units), tanhC, b.rows(b.h, t)));
        }
        if (storeLastForTBPTT) {
            // the carried state outlives this step's workspaces, as DL4J's detach() would make it
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, b.rows(b.h, steps - 1).dup('c'));
                tBpttStateMap.put(STATE_KEY_PREV_MEMCELL, b.rows(b.c, steps - 1).dup('c'));
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
     * The segment's gradients from the kept forward pass: the recurrent product and the gate
     * derivatives per time step (in place of the kept gates), then one product each for the input
     * weights, the recurrent weights and the input. Nothing flows into the carried state: truncated BPTT.
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
        INDArray dz = b.z; // each step's gate derivatives overwrite its gates once they are used
        for (int t = steps - 1; t >= 0; t--) {
            INDArray z = b.rows(dz, t);
            INDArray dh = b.rows(b.dh, t);
            if (t < steps - 1) {
                Nd4j.gemm(b.rows(dz, t + 1), recurrentWeights, dh, false, true, 1.0, 1.0);
            }
            INDArray g = gate(z, 0, units), f = gate(z, 1, units), o = gate(z, 2, units), i = gate(z, 3, units);
            INDArray tanhC = b.rows(b.tanhC, t);
            INDArray cPrev = t == 0 ? b.c0 : b.rows(b.c, t - 1);
            // dc = dh * o * (1 - tanh(c)^2) + dc(t+1) * f(t+1)
            Nd4j.exec(new MulOp(dh, o, b.dc));
            Nd4j.exec(new MulOp(tanhC, tanhC, b.tmp));
            b.tmp.rsubi(1.0);
            b.dc.muli(b.tmp);
            if (t < steps - 1) {
                b.dc.addi(b.dcNext);
            }
            // output gate: dh * tanh(c) * o (1 - o)
            Nd4j.exec(new TimesOneMinus(o, b.tmp));
            b.tmp.muli(tanhC);
            Nd4j.exec(new MulOp(b.tmp, dh, o));
            // forget gate: dc * c(t-1) * f (1 - f); the cell error handed to step t-1 is dc * f
            Nd4j.exec(new MulOp(b.dc, f, b.dcNext));
            Nd4j.exec(new TimesOneMinus(f, b.tmp));
            b.tmp.muli(cPrev);
            Nd4j.exec(new MulOp(b.tmp, b.dc, f));
            // input gate dc * g * i (1 - i) and cell input dc * i * (1 - g^2): each needs the other's activation
            Nd4j.exec(new TimesOneMinus(i, b.tmp));
            b.tmp.muli(g).muli(b.dc);
            Nd4j.exec(new MulOp(g, g, b.tmp2));
            b.tmp2.rsubi(1.0).muli(i);
            Nd4j.exec(new MulOp(b.tmp2, b.dc, g));
            i.assign(b.tmp);
        }

        Gradient gradient = new DefaultGradient();
        INDArray inputWeightGrad = gradientViews.get(LSTMParamInitializer.INPUT_WEIGHT_KEY);
        INDArray recurrentWeightGrad = gradientViews.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray biasGrad = gradientViews.get(LSTMParamInitializer.BIAS_KEY);
        Nd4j.gemm(b.x, dz, inputWeightGrad, true, false, 1.0, 0.0);
        // the recurrent weights saw h(t-1): the carried h0, then the segment's own outputs
        Nd4j.gemm(b.h0, b.rows(dz, 0), recurrentWeightGrad, true, false, 1.0, 0.0);
        if (steps > 1) {
            long rows = (long) batch * steps;
            Nd4j.gemm(b.h.get(NDArrayIndex.interval(0, rows - batch), NDArrayIndex.all()),
                    dz.get(NDArrayIndex.interval(batch, rows), NDArrayIndex.all()),
                    recurrentWeightGrad, true, false, 1.0, 1.0);
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

    private SegmentBuffers buffers(int batch, int steps, int nIn, int units) {
        if (buffers == null || !buffers.fits(batch, steps, nIn, units, dataType)) {
            buffers = null; // let the old ones go before allocating
            buffers = new SegmentBuffers(batch, steps, nIn, units, dataType);
        }
        return buffers;
    }

    /** Gate block {@code k} of DL4J's {@code [g, f, o, i]} layout in a {@code [batch, 4n]} row block. */
    private static INDArray gate(INDArray z, int k, int units) {
        return z.get(NDArrayIndex.all(), NDArrayIndex.interval((long) k * units, (long) (k + 1) * units));
    }

    /**
     * One segment's arrays, rows in (time, batch) order so that a time step is a contiguous row
     * block; allocated outside DL4J's workspaces because they live from the forward pass to the
     * backward pass and are reused by the next segment of the same shape.
     */
    private static final class SegmentBuffers {
        final int batch, steps, nIn, units;
        final DataType type;
        final INDArray x, z, c, tanhC, h, dh, dc, dcNext, tmp, tmp2;
        INDArray h0, c0;

        @SuppressWarnings("try") // the scope is entered, not used
        SegmentBuffers(int batch, int steps, int nIn, int units, DataType type) {
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
                tmp2 = Nd4j.createUninitialized(type, new long[] {batch, units}, 'c');
                h0 = Nd4j.create(type, new long[] {batch, units}, 'c');
                c0 = Nd4j.create(type, new long[] {batch, units}, 'c');
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
        INDArray rows(INDArray array, int t) {
            return array.get(NDArrayIndex.interval((long) t * batch, (long) (t + 1) * batch), NDArrayIndex.all());
        }
    }
}
