package org.lmshards.trainer.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.params.LSTMParamInitializer;

/**
 * The one place that decides which stock DL4J layer gets which faster stand-in
 * ({@link FusedLstmLayer}, {@link CachedForwardLstmLayer}, {@link LmOutputLayer}), and
 * that hands the stock layer's parameter and gradient views, listeners and counters to it, so
 * that the network's flattened parameters, updater and saved model do not notice the swap.
 */
final class LayerSwap {
    private LayerSwap() {
    }

    /** The stand-in for {@code stock} under {@code lstm}, or {@code stock} itself when it keeps DL4J's code. */
    static Layer standIn(Layer stock, boolean outputLayer, LstmImplementation lstm) {
        if (outputLayer && stock.getClass() == RnnOutputLayer.class) {
            return takeOver(stock, new LmOutputLayer(stock.conf(), stock.getParam("W").dataType()));
        }
        if (stock.getClass() != LSTM.class) {
            return stock;
        }
        LSTM lstmLayer = (LSTM) stock;
        return switch (lstm) {
            case FUSED -> takeOver(stock, new FusedLstmLayer(stock.conf(), dataType(lstmLayer)));
            case AUTO, CACHED_FORWARD -> takeOver(stock, new CachedForwardLstmLayer(stock.conf(), dataType(lstmLayer)));
            case DL4J -> stock;
        };
    }

    private static org.nd4j.linalg.api.buffer.DataType dataType(LSTM stock) {
        return stock.getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY).dataType();
    }

    private static <T extends Layer> T takeOver(Layer stock, T replacement) {
        replacement.setListeners(stock.getListeners());
        replacement.setIndex(stock.getIndex());
        replacement.setParamsViewArray(stock.params());
        replacement.setParamTable(stock.paramTable());
        if (stock.getGradientsViewArray() != null) {
            replacement.setBackpropGradientsViewArray(stock.getGradientsViewArray());
        }
        replacement.setIterationCount(stock.getIterationCount());
        replacement.setEpochCount(stock.getEpochCount());
        return replacement;
    }
}
