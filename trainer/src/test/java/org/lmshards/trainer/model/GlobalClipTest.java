package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.lmshards.trainer.train.loop.ArrayBatchSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

class GlobalClipTest {
    static final int VOCAB = 23;

    static StatefulLmNetwork net(ClipScope scope, double clip) {
        OptimizerSettings o = OptimizerSettings.DEFAULTS.withClipScope(scope);
        return LmNetworks.build(new LmHyperParams(VOCAB, 16, 32, 2, 0, 0, 0, 0, 0, 1e-2, 0, clip, 7, o), 8);
    }

    static DataSet batch() {
        ArrayBatchSource src = StatefulLmNetworkTest.source(4, 8);
        src.seek(0, 0);
        return src.next();
    }

    static INDArray gradientOf(StatefulLmNetwork net, DataSet ds) {
        net.setInput(ds.getFeatures());
        net.setLabels(ds.getLabels());
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }

    @Test
    void aGradientAboveTheThresholdIsScaledAsAWholeToTheThreshold() {
        DataSet ds = batch();
        INDArray raw = gradientOf(net(ClipScope.GLOBAL, 0), ds);
        double norm = raw.norm2Number().doubleValue();
        assertThat(norm).isGreaterThan(0.05);

        StatefulLmNetwork clipped = net(ClipScope.GLOBAL, norm / 4);
        INDArray g = gradientOf(clipped, ds);
        assertThat(clipped.lastGradientNorm()).isCloseTo(norm, within(1e-5 * norm));
        assertThat(g.norm2Number().doubleValue()).isCloseTo(norm / 4, within(1e-5 * norm));
        // one factor for every layer: the direction is unchanged
        assertThat(g.mul(4).equalsWithEps(raw, 1e-5 * norm)).isTrue();
        // DL4J's per-layer clipping is then off
        for (var layer : clipped.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer b) {
                assertThat(b.getGradientNormalization()).isIn(null, GradientNormalization.None);
            }
        }
    }

    @Test
    void aGradientBelowTheThresholdIsLeftAlone() {
        DataSet ds = batch();
        INDArray raw = gradientOf(net(ClipScope.GLOBAL, 0), ds);
        INDArray g = gradientOf(net(ClipScope.GLOBAL, raw.norm2Number().doubleValue() * 2), ds);
        assertThat(g).isEqualTo(raw);
    }

    @Test
    void layerScopeLeavesClippingToDl4jPerLayer() {
        StatefulLmNetwork net = net(ClipScope.LAYER, 0.25);
        assertThat(net.globalClip()).isZero();
        BaseLayer lstm = (BaseLayer) net.getLayer(1).conf().getLayer();
        assertThat(lstm.getGradientNormalization()).isEqualTo(GradientNormalization.ClipL2PerLayer);
        assertThat(lstm.getGradientNormalizationThreshold()).isEqualTo(0.25);
    }
}
