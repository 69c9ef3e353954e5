package org.lmshards.trainer.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
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
 */
public class TokenMeanSparseCrossEntropy extends LossSparseMCXENT {
    private static final long serialVersionUID = 1L;

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        return super.computeScore(labels, preOutput, activationFn, mask, false) / rows(preOutput);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return super.computeGradient(labels, preOutput, activationFn, mask).divi(rows(preOutput));
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                         INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    private static double rows(INDArray preOutput) {
        return Math.max(1, preOutput.size(0));
    }

    @Override
    public String toString() {
        return "TokenMeanSparseCrossEntropy()";
    }
}
