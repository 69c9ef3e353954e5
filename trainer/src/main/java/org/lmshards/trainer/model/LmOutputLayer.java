package org.lmshards.trainer.model;

import java.util.Objects;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's {@link RnnOutputLayer} with a faster language-model output: the logits are computed
 * once per training step, and for inference, into a row-major array, and the token-mean softmax
 * cross-entropy's score and gradient come from one softmax.
 *
 * <p>Two costs of DL4J 1.0.0-M2.1 go away, which together were most of a training step of
 * the small model (measured in docs/BENCHMARKS.md, "Training speed"):
 * <ul>
 *   <li>{@code BaseLayer} allocates the pre-output row-major and multiplies with {@code mmuli},
 *       which wants a column-major result: it multiplies into a column-major temporary and copies
 *       it over with a strided element-by-element assign, which for {@code [batch x time,
 *       vocabulary]} logits costs many times the matrix product itself.</li>
 *   <li>The network backpropagates first and scores afterwards, and each recomputed the logits
 *       and the softmax; the stock loss also built a one-hot label matrix and took the log of
 *       every probability. Here {@link #backpropGradient} keeps the loss it computed along the
 *       way and {@link #computeScore} returns it for the same input, labels, iteration and
 *       parameters (any parameter set through the layer forgets it); in any other order, or for
 *       anything else, {@link #computeScore} computes the score itself, so the result never
 *       depends on the order of the calls, only the cost does.</li>
 * </ul>
 * Anything else (another loss, masks, dropout or weight noise on this layer, NWC data) goes
 * through DL4J's code unchanged. The configuration and the saved model stay DL4J's:
 * {@link LayerSwap} puts this implementation in place of the stock one when the network
 * initialises.
 */
public class LmOutputLayer extends RnnOutputLayer {
    private static final long serialVersionUID = 1L;

    /** The token-mean loss of the last fused backward pass, and what it was computed for. */
    private double pendingLoss = Double.NaN;
    private INDArray pendingInput;
    private INDArray pendingLabels;
    private int pendingIteration;

    public LmOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    // Parameters set from outside (not by the updater, which moves the iteration count on) make
    // the kept loss stale.
    @Override
    public void setParams(INDArray params) {
        forgetPendingLoss();
        super.setParams(params);
    }

    @Override
    public void setParam(String key, INDArray val) {
        forgetPendingLoss();
        super.setParam(key, val);
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        forgetPendingLoss();
        super.setParamsViewArray(params);
    }

    private void forgetPendingLoss() {
        pendingInput = null;
        pendingLabels = null;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
                                                            LayerWorkspaceMgr workspaceMgr) {
        INDArray weights = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        if (hasLayerNorm() || maskArray != null || input == null || input.rank() != 2
                || input.columns() != weights.rows()) {
            // Layouts this class does not speed up, and DL4J's own input errors.
            return super.preOutputWithPreNorm(training, forBackprop, workspaceMgr);
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray in = input.castTo(weights.dataType());
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, weights.dataType(),
                in.size(0), weights.size(1));
        logitsInto(in, weights, out, training, workspaceMgr, ArrayType.FF_WORKING_MEM);
        return new Pair<>(out, out);
    }

    /**
     * The softmax outputs (inference, {@code rnnTimeStep}, evaluation), computed row-major in a
     * {@code [batch, time, vocabulary]} array and returned as its {@code [batch, vocabulary, time]}
     * view: DL4J's own path copied the {@code [batch x time, vocabulary]} result into a
     * column-major 3-d array element by element, which took most of an evaluation.
     */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (maskArray != null || input == null || input.rank() != 3 || !timeLast()) {
            return super.activate(training, workspaceMgr);
        }
        INDArray weights = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        applyDropOutIfNecessary(training, workspaceMgr);
        long batch = input.size(0), steps = input.size(2), classes = weights.size(1);
        // rows in (batch, time) order, so that the logits reshape to [batch, time, vocabulary] in place
        INDArray rows = workspaceMgr.dup(ArrayType.FF_WORKING_MEM,
                input.castTo(weights.dataType()).permute(0, 2, 1), 'c').reshape('c', batch * steps, input.size(1));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, weights.dataType(),
                new long[] {batch, steps, classes}, 'c');
        INDArray logits = out.reshape('c', batch * steps, classes);
        logitsInto(rows, weights, logits, training, workspaceMgr, ArrayType.FF_WORKING_MEM);
        if (layerConf().getActivationFn() instanceof ActivationSoftmax) {
            RowSoftmax.inPlace(logits);
        } else {
            layerConf().getActivationFn().getActivation(logits, training);
        }
        return out.permute(0, 2, 1);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        pendingInput = null;
        if (!fusable()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        INDArray weights = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray input2d = TimeSeriesUtils.reshape3dTo2d(input, workspaceMgr, ArrayType.BP_WORKING_MEM)
                .castTo(weights.dataType());
        INDArray logits = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, weights.dataType(),
                input2d.size(0), weights.size(1));
        // [x | 1] again in the weight-gradient product, whose last row is then the bias gradient:
        // no column sum over [rows, vocabulary] for it
        INDArray augmented = logitsInto(input2d, weights, logits, true, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray labels2d = getLabels2d(workspaceMgr, ArrayType.BP_WORKING_MEM);
        double loss = ((TokenMeanSparseCrossEntropy) layerConf().getLossFn())
                .gradientInPlace(labels2d, logits, layerConf().getActivationFn(), maskArray);
        if (Double.isNaN(loss)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        INDArray delta = logits; // now (rows x) d(loss)/d(logits): the 1/rows goes into the products below
        double scale = 1.0 / TokenMeanSparseCrossEntropy.rows(delta);
        Gradient gradient = new DefaultGradient();
        INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        if (hasBias()) {
            // [x | 1]^T delta: the weights' gradient, then the bias gradient (delta's column sums) as the last row
            INDArray both = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, delta.dataType(),
                    new long[] {augmented.size(1), delta.size(1)}, 'c');
            Nd4j.gemm(augmented, delta, both, true, false, scale, 0.0);
            long nIn = weights.size(0);
            weightGrad.assign(both.get(NDArrayIndex.interval(0, nIn), NDArrayIndex.all()));
            INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
            biasGrad.assign(both.get(NDArrayIndex.interval(nIn, nIn + 1), NDArrayIndex.all()).reshape(biasGrad.shape()));
            gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
            gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
        } else {
            MatrixProducts.gemm(input2d, delta, weightGrad, true, false, scale, 0.0);
            gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
        }
        // row-major: OpenBLAS writes this thin product 2-4x slower column-major (LogitsLayoutBenchmark);
        // reshape2dTo3d's copy to column-major of the small result costs microseconds
        INDArray epsilon2d = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                new long[] {delta.size(0), weights.size(0)}, 'c');
        Nd4j.gemm(delta, weights, epsilon2d, false, true, scale, 0.0);
        INDArray epsilon3d = TimeSeriesUtils.reshape2dTo3d(epsilon2d, input.size(0), workspaceMgr, ArrayType.ACTIVATION_GRAD);
        weightNoiseParams.clear();
        pendingLoss = loss;
        pendingInput = input;
        pendingLabels = labels;
        pendingIteration = getIterationCount();
        return new Pair<>(gradient, epsilon3d);
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        boolean pending = pendingInput != null && pendingInput == input && pendingLabels == labels
                && pendingIteration == getIterationCount();
        pendingInput = null;
        pendingLabels = null;
        if (!pending) {
            return super.computeScore(fullNetRegTerm, training, workspaceMgr);
        }
        score = pendingLoss + fullNetRegTerm;
        return score;
    }

    /**
     * {@code x W + b} into {@code out} (row-major): one product, as {@code [x | 1] [W ; b]} with a
     * bias, which costs two small copies where adding the bias would be a pass over the logits.
     * Scratch arrays are of {@code type}.
     *
     * @return the rows the product used: {@code [x | 1]} with a bias, else {@code x}
     */
    private INDArray logitsInto(INDArray rows, INDArray weights, INDArray out, boolean training,
                                LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        if (!hasBias()) {
            Nd4j.gemm(rows, weights, out, false, false, 1.0, 0.0);
            return rows;
        }
        INDArray augmented = withOnesColumn(rows, workspaceMgr, type);
        Nd4j.gemm(augmented, withBiasRow(weights, training, workspaceMgr, type), out, false, false, 1.0, 0.0);
        return augmented;
    }

    /** {@code [x | 1]}: the rows with a column of ones appended. */
    private static INDArray withOnesColumn(INDArray rows, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        long n = rows.size(1);
        INDArray out = workspaceMgr.createUninitialized(type, rows.dataType(), new long[] {rows.size(0), n + 1}, 'c');
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n)).assign(rows);
        out.get(NDArrayIndex.all(), NDArrayIndex.point(n)).assign(1.0);
        return out;
    }

    /** {@code [W ; b]}: the weights with the bias appended as a last row. */
    private INDArray withBiasRow(INDArray weights, boolean training, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        INDArray bias = getParamWithNoise(DefaultParamInitializer.BIAS_KEY, training, workspaceMgr);
        long n = weights.size(0);
        INDArray out = workspaceMgr.createUninitialized(type, weights.dataType(), new long[] {n + 1, weights.size(1)}, 'c');
        out.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).assign(weights);
        out.get(NDArrayIndex.interval(n, n + 1), NDArrayIndex.all()).assign(bias.reshape(1, weights.size(1)));
        return out;
    }

    /** Whether the layer's data is {@code [batch, features, time]} (NCW, DL4J's default). */
    private boolean timeLast() {
        return Objects.requireNonNullElse(layerConf().getRnnDataFormat(), RNNFormat.NCW) == RNNFormat.NCW;
    }

    /** The cases where the fused backward pass gives exactly DL4J's gradient and score. */
    private boolean fusable() {
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer conf = layerConf();
        return conf.getLossFn() instanceof TokenMeanSparseCrossEntropy && !conf().isMiniBatch()
                && maskArray == null && conf.getIDropout() == null && conf.getWeightNoise() == null
                && timeLast()
                && input != null && input.rank() == 3 && labels != null && labels.rank() == 3
                && gradientViews != null;
    }
}
