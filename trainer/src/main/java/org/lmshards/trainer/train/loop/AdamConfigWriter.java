package org.lmshards.trainer.train.loop;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Sets the learning rate and beta1 of every layer's Adam before a step. DL4J's Adam reads both
 * from its configuration object at every update (and the decoupled weight decay takes the same
 * learning rate), but has no schedule for beta1, so the schedule writes them there.
 */
final class AdamConfigWriter {
    private AdamConfigWriter() {
    }

    static void set(MultiLayerNetwork net, double lr, double beta1) {
        for (Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base) {
                apply(base.getIUpdater(), lr, beta1);
                apply(base.getBiasUpdater(), lr, beta1);
            }
        }
    }

    private static void apply(IUpdater updater, double lr, double beta1) {
        if (updater instanceof Adam adam) {
            adam.setLearningRate(lr);
            adam.setBeta1(beta1);
        } else if (updater != null) {
            throw new IllegalStateException("expected Adam, the network uses " + updater);
        }
    }
}
