package org.lmshards.trainer.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.DropOutInverted;
import org.nd4j.linalg.factory.Nd4j;

/**
 * fastai's {@code WeightDropout} for a DL4J LSTM layer: during training, every forward pass
 * sees the hidden-to-hidden weight matrix ({@code RW}) with a fresh inverted-dropout mask
 * (kept weights scaled by {@code 1/(1-p)}); input weights and biases are untouched, and at
 * inference the weights are used as they are.
 *
 * <p>DL4J's own {@code DropConnect} is not a substitute: it drops input weights as well and
 * does not rescale the kept weights, so training and inference would see weights of different
 * expected size. The mask comes from {@code Nd4j.getRandom()}, which the trainer reseeds at every
 * step, so masks are reproducible and a resumed run draws the same ones.
 */
public final class RecurrentWeightDropout implements IWeightNoise {
    private static final long serialVersionUID = 1L;

    /** Drop probability; a field (not final) so that DL4J's JSON configuration can restore it. */
    private double dropProbability;

    /** For JSON deserialisation of the network configuration. */
    public RecurrentWeightDropout() {
    }

    public RecurrentWeightDropout(double dropProbability) {
        if (!(dropProbability >= 0 && dropProbability < 1)) {
            throw new IllegalArgumentException("weight dropout must be in [0, 1), got " + dropProbability);
        }
        this.dropProbability = dropProbability;
    }

    public double getDropProbability() {
        return dropProbability;
    }

    public void setDropProbability(double dropProbability) {
        this.dropProbability = dropProbability;
    }

    @Override
    public INDArray getParameter(Layer layer, String paramKey, int iteration, int epoch, boolean train,
                                 LayerWorkspaceMgr workspaceMgr) {
        INDArray param = layer.getParam(paramKey);
        if (!train || dropProbability == 0 || !LSTMParamInitializer.RECURRENT_WEIGHT_KEY.equals(paramKey)) {
            return param;
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.INPUT, param.dataType(), param.shape(), param.ordering());
        Nd4j.getExecutioner().exec(new DropOutInverted(param, out, 1.0 - dropProbability));
        return out;
    }

    @Override
    public RecurrentWeightDropout clone() {
        return new RecurrentWeightDropout(dropProbability);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecurrentWeightDropout r && Double.compare(r.dropProbability, dropProbability) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(dropProbability);
    }

    @Override
    public String toString() {
        return "RecurrentWeightDropout(p=" + dropProbability + ")";
    }
}
