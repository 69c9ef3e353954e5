package org.lmshards.trainer.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * Sparse softmax cross-entropy averaged over every token of the batch, as PyTorch's
 * {@code cross_entropy} and fastai's loss: score and gradient of {@link LossSparseMCXENT}
 * divided by the rows it sees ({@code batch x time} once {@code RnnOutputLayer} has flattened
 * the sequence).
 *
 * <p>Used with {@code miniBatch(false)}, so DL4J does not divide once more by the batch rows.
 * The stock loss summed over time steps makes every gradient {@code seq_len} times the
 * token mean, which shifts clipping thresholds and Adam's epsilon (docs/MODEL.md).
 *
 * <p>With a softmax output and no mask (a language model's case) it reads the target's
 * probability per row instead of building DL4J's one-hot label matrix, clipping, taking the log
 * of and multiplying every element of a {@code [rows, vocabulary]} array: one softmax pass for
 * the score and one for the gradient, where the stock loss made eight full passes.
 */
public class TokenMeanSparseCrossEntropy extends LossSparseMCXENT {
    private static final long serialVersionUID = 1L;

    /** Smallest probability whose log is taken, as DL4J's {@code softmaxClipEps} but far below any real one. */
    private static final double MIN_PROBABILITY = Float.MIN_NORMAL;

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        if (!direct(labels, activationFn, mask)) {
            return super.computeScore(labels, preOutput, activationFn, mask, false) / rows(preOutput);
        }
        return gradientInPlace(labels, preOutput.dup('c'), activationFn, mask);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (!direct(labels, activationFn, mask)) {
            return super.computeGradient(labels, preOutput, activationFn, mask).divi(rows(preOutput));
        }
        INDArray gradient = preOutput.dup('c');
        gradientInPlace(labels, gradient, activationFn, mask);
        return gradient.divi(rows(preOutput));
    }

    /**
     * Score and gradient from one softmax, for {@link LmOutputLayer}: overwrites
     * {@code preOutput} with the gradient of the summed loss, {@code softmax - onehot} (the
     * caller scales by {@code 1 / rows} where it is cheaper than a pass over the array), and
     * returns the token-mean loss; or returns NaN, leaving {@code preOutput} alone, where this
     * loss would go through DL4J's own computation.
     */
    double gradientInPlace(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (!direct(labels, activationFn, mask) || preOutput.ordering() != 'c' || preOutput.isView()) {
            return Double.NaN;
        }
        RowSoftmax.inPlace(preOutput);
        long rows = preOutput.size(0);
        double sum = 0;
        for (long r = 0; r < rows; r++) {
            long t = target(labels, r, preOutput);
            double p = preOutput.getDouble(r, t);
            sum -= Math.log(Math.max(MIN_PROBABILITY, p));
            preOutput.putScalar(r, t, p - 1.0);
        }
        return sum / rows(preOutput);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                         INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    private boolean direct(INDArray labels, IActivation activationFn, INDArray mask) {
        return activationFn instanceof ActivationSoftmax && mask == null && getWeights() == null
                && labels.rank() == 2 && labels.size(1) == 1;
    }

    /** The target id of a row, checked as DL4J's one-hot conversion would. */
    private static long target(INDArray labels, long row, INDArray preOutput) {
        double id = labels.getDouble(row, 0);
        if (!(id >= 0 && id < preOutput.size(1)) || id != Math.rint(id)) {
            throw new IllegalArgumentException("label " + id + " of row " + row + " is not a class index in [0, "
                    + preOutput.size(1) + ")");
        }
        return (long) id;
    }

    static double rows(INDArray preOutput) {
        return Math.max(1, preOutput.size(0));
    }

    @Override
    public String toString() {
        return "TokenMeanSparseCrossEntropy()";
    }
}
