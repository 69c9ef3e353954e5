package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lmshards.trainer.train.loop.ArrayBatchSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

class StatefulLmNetworkTest {
    static final int VOCAB = 23;

    static LmHyperParams tiny(double inputP, double weightP) {
        return new LmHyperParams(VOCAB, 16, 32, 2, inputP, inputP, weightP, 0, inputP, 1e-2, 0.01, 0.25, 7);
    }

    static ArrayBatchSource source(int batch, int seqLen) {
        int[] tokens = new int[batch * seqLen * 3 + 1];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(VOCAB);
        }
        return new ArrayBatchSource(tokens, batch, seqLen, VOCAB);
    }

    /** Explicit mean cross-entropy of the network (fresh state, no dropout) on one batch. */
    static double explicitLoss(StatefulLmNetwork net, DataSet ds) {
        StatefulLmNetwork copy = LmNetworks.wrap(net);
        INDArray p = copy.rnnTimeStep(ds.getFeatures());
        double sum = 0;
        long n = 0;
        for (long b = 0; b < ds.getLabels().size(0); b++) {
            for (long t = 0; t < ds.getLabels().size(2); t++) {
                sum -= Math.log(p.getFloat(b, (long) ds.getLabels().getFloat(b, 0, t), t));
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void reportedBatchLossIsTheMeanTokenCrossEntropyWithoutRegularisation() {
        StatefulLmNetwork net = LmNetworks.build(tiny(0, 0), 8);
        ArrayBatchSource src = source(4, 8);
        src.seek(0, 0);
        DataSet ds = src.next();
        double expected = explicitLoss(net, ds);
        net.fit(ds);
        assertThat(net.lastTokens()).isEqualTo(32);
        assertThat(net.lastLossSum() / net.lastTokens()).isCloseTo(expected, within(1e-5));
        // score() leaves out the weight-decay term during training steps; outside them DL4J's term is there
        assertThat(net.score()).isCloseTo(expected, within(1e-5));
        assertThat(net.calcRegularizationScore(true)).isGreaterThan(1e-4);
    }

    @Test
    void stateAtTheEndOfABatchIsCarriedIntoTheNextFitCall() {
        StatefulLmNetwork net = LmNetworks.build(tiny(0, 0), 8);
        StatefulLmNetwork reference = LmNetworks.wrap(net);
        ArrayBatchSource src = source(4, 8);
        src.seek(0, 0);
        DataSet first = src.next().copy();
        DataSet second = src.next().copy();

        net.fit(first);
        // The carried state is exactly the state an inference pass over the first batch ends in
        // (same parameters before the update, no dropout).
        reference.rnnTimeStep(first.getFeatures());
        for (int layer : new int[] {1, 2}) {
            Map<String, INDArray> carried = net.rnnGetPreviousState(layer);
            Map<String, INDArray> expected = reference.rnnGetPreviousState(layer);
            assertThat(carried).containsOnlyKeys(expected.keySet());
            for (String k : expected.keySet()) {
                assertThat(carried.get(k).equalsWithEps(expected.get(k), 1e-5)).as(k).isTrue();
                assertThat(carried.get(k).norm2Number().doubleValue()).as(k).isGreaterThan(0.01);
            }
        }

        // The same parameters see different losses on the second batch with and without it.
        StatefulLmNetwork withoutState = LmNetworks.wrap(net);
        withoutState.setCarryState(false);
        net.fit(second);
        withoutState.fit(second);
        assertThat(Math.abs(net.lastLossSum() - withoutState.lastLossSum())).isGreaterThan(1e-4);
        // without carrying, the loss is the fresh-state loss
        assertThat(withoutState.rnnGetPreviousState(1)).isEmpty();
    }

    @Test
    void clearingTheStateMakesFitIndependentOfThePreviousBatch() {
        ArrayBatchSource src = source(4, 8);
        src.seek(0, 0);
        DataSet first = src.next().copy();
        DataSet second = src.next().copy();
        StatefulLmNetwork a = LmNetworks.build(tiny(0, 0), 8);
        StatefulLmNetwork b = LmNetworks.wrap(a);
        a.fit(first);
        b.fit(first);
        a.rnnClearPreviousState();
        StatefulLmNetwork c = LmNetworks.wrap(a);
        c.setCarryState(false);
        a.fit(second);
        c.fit(second);
        assertThat(a.lastLossSum()).isCloseTo(c.lastLossSum(), within(1e-6));
    }

    @Test
    void weightDropoutDropsAndRescalesOnlyRecurrentWeightsDuringTraining() {
        StatefulLmNetwork net = LmNetworks.build(tiny(0, 0.5), 8);
        org.deeplearning4j.nn.api.Layer lstm = net.getLayer(1);
        RecurrentWeightDropout wd = new RecurrentWeightDropout(0.5);
        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr mgr = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
        INDArray rw = lstm.getParam("RW");
        INDArray noisy = wd.getParameter(lstm, "RW", 0, 0, true, mgr);
        long zeros = 0, scaled = 0;
        for (long i = 0; i < rw.length(); i++) {
            double w = rw.getDouble(i), n = noisy.getDouble(i);
            if (n == 0) {
                zeros++;
            } else {
                assertThat(n).isCloseTo(2 * w, within(1e-6));
                scaled++;
            }
        }
        assertThat((double) zeros / rw.length()).isBetween(0.4, 0.6);
        assertThat(scaled).isPositive();
        assertThat(wd.getParameter(lstm, "RW", 0, 0, false, mgr)).isSameAs(rw);
        assertThat(wd.getParameter(lstm, "W", 0, 0, true, mgr)).isSameAs(lstm.getParam("W"));
    }

    @Test
    void configurationWithCustomDropoutSurvivesSaveAndLoad() throws Exception {
        StatefulLmNetwork net = LmNetworks.build(tiny(0.3, 0.5), 8);
        assertThat(net.getUpdater()).isNotNull(); // the file holds Adam's state, as train's model.zip does
        java.nio.file.Path f = java.nio.file.Files.createTempFile("lm", ".zip");
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(f)) {
            LmNetworks.save(net, out);
        }
        StatefulLmNetwork back = LmNetworks.load(f);
        java.nio.file.Files.delete(f);
        assertThat(back.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(back.getLayerWiseConfigurations().toJson()).contains("RecurrentWeightDropout").contains("SpatialDropout");
        assertThat(back.params()).isEqualTo(net.params());
        assertThat(LmNetworks.vocabSize(back)).isEqualTo(VOCAB);
        assertThat(back.getUpdater(false)).as("Adam's state is neither read nor allocated").isNull();
    }

    @Test
    void parameterCountMatchesTheBuiltNetwork() {
        LmHyperParams hp = tiny(0.2, 0.2);
        assertThat(LmNetworks.build(hp, 8).numParams()).isEqualTo(hp.parameterCount());
    }
}
