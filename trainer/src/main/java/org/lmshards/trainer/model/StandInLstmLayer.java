package org.lmshards.trainer.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J {@link LSTM} layer whose truncated-BPTT training path is replaced by faster code, for
 * the layers the trainer builds only: the one statement of which inputs and settings that is, so
 * that {@link FusedLstmLayer} and {@link CachedForwardLstmLayer} fall back to DL4J's code on the
 * same conditions. {@link LayerSwap} decides which layer gets which stand-in.
 */
abstract class StandInLstmLayer extends LSTM {
    private static final long serialVersionUID = 1L;

    StandInLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * Whether the replaced path computes DL4J's equations for {@code in}: sigmoid gates, tanh
     * activation, NCW data {@code [batch, nIn, time]}, no mask, no cuDNN or oneDNN helper.
     */
    protected boolean standsIn(INDArray in) {
        return helper == null && maskArray == null && in != null && in.rank() == 3
                && layerConf().getGateActivationFn() instanceof ActivationSigmoid
                && layerConf().getActivationFn() instanceof ActivationTanH
                && TimeSeriesUtils.getFormatFromRnnLayer(layerConf()) == RNNFormat.NCW
                && in.size(1) == getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY).size(0);
    }

    /** The layer's hidden units (the rows of its recurrent weights). */
    protected int units() {
        return (int) getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY).size(0);
    }
}
