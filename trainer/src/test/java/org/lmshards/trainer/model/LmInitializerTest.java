package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class LmInitializerTest {
    static final int VOCAB = 700, EMB = 32, HIDDEN = 64;

    static StatefulLmNetwork build(InitScheme init, Double forgetBias, long seed) {
        OptimizerSettings o = OptimizerSettings.DEFAULTS.withInit(init).withForgetBias(forgetBias);
        return LmNetworks.build(new LmHyperParams(VOCAB, EMB, HIDDEN, 2, 0, 0, 0, 0, 0, 1e-2, 0.01, 0.25, seed, o), 8);
    }

    static double std(INDArray a) {
        return a.stdNumber().doubleValue();
    }

    static double maxAbs(INDArray a) {
        return a.amaxNumber().doubleValue();
    }

    static INDArray param(MultiLayerNetwork net, int layer, String name) {
        return net.getLayer(layer).getParam(name);
    }

    /** Elements {@code [from, to)} of a bias vector (rank 1 or a row). */
    static INDArray slice(INDArray b, long from, long to) {
        return b.reshape(b.length()).get(NDArrayIndex.interval(from, to));
    }

    @Test
    void fastaiSchemeDrawsAwdLstmsDistributions() {
        StatefulLmNetwork net = build(InitScheme.FASTAI, null, 1);
        INDArray emb = param(net, 0, "W");
        assertThat(maxAbs(emb)).isLessThanOrEqualTo(0.1);
        assertThat(std(emb)).isCloseTo(0.1 / Math.sqrt(3), within(0.002)); // U(-a, a) has std a/sqrt(3)
        assertThat(emb.meanNumber().doubleValue()).isCloseTo(0, within(0.002));
        for (int layer : new int[] {1, 2}) {
            int out = layer == 1 ? HIDDEN : EMB;
            double k = 1 / Math.sqrt(out);
            assertThat(maxAbs(param(net, layer, "W"))).isLessThanOrEqualTo(k);
            assertThat(maxAbs(param(net, layer, "RW"))).isLessThanOrEqualTo(k);
            assertThat(std(param(net, layer, "RW"))).isCloseTo(k / Math.sqrt(3), within(0.05 * k));
            INDArray b = param(net, layer, "b");
            // the sum of PyTorch's two bias vectors: on (-2k, 2k), std k * sqrt(2/3), no forget-gate offset
            assertThat(maxAbs(b)).isLessThanOrEqualTo(2 * k).isGreaterThan(k / 2);
            assertThat(slice(b, out, 2 * out).meanNumber().doubleValue()).isCloseTo(0, within(0.5 * k));
        }
        INDArray outW = param(net, 3, "W");
        assertThat(maxAbs(outW)).isLessThanOrEqualTo(0.1);
        assertThat(std(outW)).isCloseTo(0.1 / Math.sqrt(3), within(0.002));
    }

    @Test
    void pytorchSchemeDrawsModuleDefaults() {
        StatefulLmNetwork net = build(InitScheme.PYTORCH, null, 1);
        INDArray emb = param(net, 0, "W");
        assertThat(std(emb)).isCloseTo(1.0, within(0.02)); // nn.Embedding: N(0, 1)
        assertThat(maxAbs(emb)).isGreaterThan(3);
        INDArray outW = param(net, 3, "W");
        double bound = 1 / Math.sqrt(EMB); // nn.Linear: U(-1/sqrt(in), 1/sqrt(in))
        assertThat(maxAbs(outW)).isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
    }

    @Test
    void xavierSchemeKeepsDl4jsInitialisationWithItsForgetGateBias() {
        StatefulLmNetwork net = build(InitScheme.XAVIER, null, 1);
        // measured, not the fan of the matrix: DL4J's embedding Xavier takes a fan-in of 1, so the
        // std is sqrt(2 / (1 + emb)) whatever the vocabulary (0.25 for emb 32), not sqrt(2 / (vocab + emb))
        assertThat(std(param(net, 0, "W"))).isCloseTo(Math.sqrt(2.0 / (1 + EMB)), within(0.005));
        INDArray b = param(net, 1, "b");
        assertThat(slice(b, HIDDEN, 2 * HIDDEN).minNumber().doubleValue()).isEqualTo(1.0);
        assertThat(slice(b, 0, HIDDEN).maxNumber().doubleValue()).isEqualTo(0.0);
    }

    @Test
    void anExplicitForgetGateBiasSetsExactlyTheForgetColumns() {
        StatefulLmNetwork plain = build(InitScheme.FASTAI, null, 3);
        StatefulLmNetwork net = build(InitScheme.FASTAI, 1.0, 3);
        for (int layer : new int[] {1, 2}) {
            int out = layer == 1 ? HIDDEN : EMB;
            INDArray b = param(net, layer, "b"), p = param(plain, layer, "b");
            assertThat(slice(b, out, 2 * out).minNumber().doubleValue()).isEqualTo(1.0);
            assertThat(slice(b, out, 2 * out).maxNumber().doubleValue()).isEqualTo(1.0);
            assertThat(slice(b, 0, out)).isEqualTo(slice(p, 0, out));
            assertThat(slice(b, 2 * out, 4 * out)).isEqualTo(slice(p, 2 * out, 4 * out));
        }
    }

    @Test
    void theSeedAloneDecidesTheParameters() {
        assertThat(build(InitScheme.FASTAI, null, 5).params()).isEqualTo(build(InitScheme.FASTAI, null, 5).params());
        assertThat(build(InitScheme.FASTAI, null, 5).params()).isNotEqualTo(build(InitScheme.FASTAI, null, 6).params());
    }
}
