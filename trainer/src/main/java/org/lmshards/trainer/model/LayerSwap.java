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
    /**
     * Largest LSTM layer, in weights ({@code 4 n (nIn + n)}), that {@link LstmImplementation#AUTO}
     * gives to {@link FusedLstmLayer}. libnd4j's fused backward op beats per-step calls on small
     * layers but scales worse with the layer: measured on 2-layer models (docs/BENCHMARKS.md) it was
     * 1.26x DL4J's speed at hidden 256 / emb 64 (up to 328k weights a layer), 0.75x at hidden 512
     * (1.3M weights) and 0.47x at the AWD-LSTM size, where whole-segment products win.
     */
    static final long MAX_FUSED_WEIGHTS = 1L << 19;

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
        return switch (lstm == LstmImplementation.AUTO ? bySize(lstmLayer) : lstm) {
            case FUSED -> takeOver(stock, new FusedLstmLayer(stock.conf(), dataType(lstmLayer)));
            case CACHED_FORWARD -> takeOver(stock, new CachedForwardLstmLayer(stock.conf(), dataType(lstmLayer)));
            case DL4J, AUTO -> stock;
        };
    }

    private static LstmImplementation bySize(LSTM stock) {
        long nIn = stock.getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY).size(0);
        long n = stock.getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY).size(0);
        return 4 * n * (nIn + n) <= MAX_FUSED_WEIGHTS ? LstmImplementation.FUSED : LstmImplementation.CACHED_FORWARD;
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
