package org.lmshards.trainer.finetune;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.lmshards.trainer.interop.ModelShape;

/** Shapes and layers of a network built by {@code LmNetworks}, as fine-tuning and interop see them. */
public final class PretrainedWeights {
    private PretrainedWeights() {
    }

    /** The network's architecture read from its parameters. */
    public static ModelShape shapeOf(MultiLayerNetwork net) {
        long[] emb = net.getLayer(0).getParam("W").shape();
        List<Layer> lstms = lstms(net);
        int hidden = lstms.size() == 1 ? (int) emb[1] : (int) lstms.get(0).getParam("RW").size(0);
        return new ModelShape((int) emb[0], (int) emb[1], hidden, lstms.size());
    }

    /** The LSTM layers, bottom first (a dropout layer may sit between the last one and the output). */
    public static List<Layer> lstms(MultiLayerNetwork net) {
        return Arrays.stream(net.getLayers()).filter(l -> l instanceof LSTM).toList();
    }
}
