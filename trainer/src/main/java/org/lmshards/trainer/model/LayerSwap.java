package org.lmshards.trainer.model;

import org.deeplearning4j.nn.api.Layer;

/**
 * Hands a stock DL4J layer's parameter and gradient views, listeners and counters to a faster
 * implementation of the same layer ({@link FusedLstmLayer}, {@link RowMajorRnnOutputLayer}), so
 * that the network's flattened parameters, updater and saved model do not notice the swap.
 */
final class LayerSwap {
    private LayerSwap() {
    }

    static <T extends Layer> T takeOver(Layer stock, T replacement) {
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
