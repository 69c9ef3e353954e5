package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lmshards.trainer.testing.WikiTextDatasets;
import org.lmshards.trainer.train.loop.BatchSource;
import org.lmshards.trainer.train.loop.TrainingDataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data-parallel row replicas compute what one network computes: in float64 the loss of every
 * step, the parameters and the carried state after 20 steps of real WikiText batches agree to
 * 1e-10 relative, for even and uneven row splits and both loss scales.
 */
class RowReplicasTest {
    static final int BS = 7, SEQ = 12, STEPS = 20;

    @TempDir
    static Path tmp;
    static Path dataset;
    static int vocab;

    @BeforeAll
    static void buildDataset() throws IOException {
        dataset = tmp.resolve("ds");
        vocab = WikiTextDatasets.build(dataset, 6, 2, 3).size();
    }

    static LmHyperParams hp(LossScale scale, double dropout) {
        OptimizerSettings o = OptimizerSettings.DEFAULTS.withLossScale(scale);
        return new LmHyperParams(vocab, 16, 24, 2, dropout, dropout, dropout, 0, dropout, 1e-2, 0.01, 0.25, 3, o);
    }

    static StatefulLmNetwork net(LmHyperParams hp, DataType type) {
        StatefulLmNetwork net = new StatefulLmNetwork(LmNetworks.configuration(hp, SEQ, type));
        net.init();
        LmInitializer.apply(net, hp);
        LmNetworks.configureClipping(net, hp);
        net.setCarryState(true);
        return net;
    }

    /** The first {@code steps} train batches, in the given precision. */
    static List<DataSet> batches(int steps, DataType type) throws IOException {
        List<DataSet> out = new ArrayList<>();
        try (TrainingDataset ds = TrainingDataset.open(dataset);
             BatchSource source = ds.batches("train", BS, SEQ, 1, 0, false)) {
            source.seek(0, 0);
            while (out.size() < steps && source.hasNext()) {
                org.nd4j.linalg.dataset.api.DataSet b = source.next();
                out.add(new DataSet(b.getFeatures().castTo(type).dup(), b.getLabels().castTo(type).dup()));
            }
        }
        assertThat(out).hasSize(steps);
        return out;
    }

    /**
     * Per-step mean token losses of training steps with {@code replicas} replicas, followed by the
     * per-step gradient norms before clipping.
     */
    static double[] train(StatefulLmNetwork net, List<DataSet> batches, int replicas, long seed) {
        double[] losses = new double[2 * batches.size()];
        try (RowReplicas group = RowReplicas.attach(net, replicas)) {
            for (int i = 0; i < batches.size(); i++) {
                net.seedDropout(seed, i);
                net.fit(batches.get(i));
                losses[i] = net.lastLossSum() / net.lastTokens();
                losses[batches.size() + i] = net.lastGradientNorm();
                if (replicas > 1) {
                    for (StatefulLmNetwork replica : group.networks()) {
                        assertThat(replica.params()).as("replicas share one parameter array").isSameAs(net.params());
                        if (replica != net) {
                            assertThat(replica.getUpdater(false)).as("only the master holds Adam's state").isNull();
                        }
                    }
                }
            }
        }
        return losses;
    }

    static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
    }

    @ParameterizedTest(name = "{0} replicas, {1}")
    @CsvSource({"2, TOKEN_MEAN", "3, TOKEN_MEAN", "2, SEQUENCE_SUM", "3, SEQUENCE_SUM", "7, TOKEN_MEAN"})
    void replicasTrainAsOneNetworkInFloat64(int replicas, LossScale scale) throws IOException {
        LmHyperParams hp = hp(scale, 0);
        List<DataSet> batches = batches(STEPS, DataType.DOUBLE);
        StatefulLmNetwork alone = net(hp, DataType.DOUBLE);
        StatefulLmNetwork parallel = net(hp, DataType.DOUBLE);
        assertThat(parallel.params()).isEqualTo(alone.params());

        double[] expected = train(alone, batches, 1, 1);
        double[] actual = train(parallel, batches, replicas, 1);

        for (int i = 0; i < 2 * STEPS; i++) {
            assertThat(Math.abs(actual[i] - expected[i]) / expected[i])
                    .as("%s of step %d", i < STEPS ? "loss" : "gradient norm", i % STEPS).isLessThan(1e-10);
        }
        assertThat(expected[STEPS - 1]).as("the model learns").isLessThan(expected[0]);
        assertThat(relativeDifference(parallel.params(), alone.params())).isLessThan(1e-10);
        assertThat(relativeDifference(parallel.getUpdater().getStateViewArray(), alone.getUpdater().getStateViewArray()))
                .isLessThan(1e-10);
        assertThat(parallel.params().equalsWithEps(alone.params(), 0)).as("not trivially equal").isFalse();
        // the state of all rows comes back in row order when the replicas are closed
        CarriedState a = alone.carriedState(), p = parallel.carriedState();
        assertThat(p.rows()).isEqualTo(BS);
        for (Map.Entry<Integer, Map<String, INDArray>> layer : a.layers().entrySet()) {
            for (Map.Entry<String, INDArray> e : layer.getValue().entrySet()) {
                assertThat(relativeDifference(p.layers().get(layer.getKey()).get(e.getKey()), e.getValue()))
                        .as("state %s of layer %d", e.getKey(), layer.getKey()).isLessThan(1e-10);
            }
        }
    }

    @Test
    void dropoutMasksAreReproducibleForAGivenReplicaCount() throws IOException {
        LmHyperParams hp = hp(LossScale.TOKEN_MEAN, 0.3);
        List<DataSet> batches = batches(5, DataType.FLOAT);
        StatefulLmNetwork first = net(hp, DataType.FLOAT), second = net(hp, DataType.FLOAT), other = net(hp, DataType.FLOAT);
        double[] a = train(first, batches, 2, 9);
        double[] b = train(second, batches, 2, 9);
        double[] c = train(other, batches, 3, 9);
        assertThat(b).containsExactly(a);
        assertThat(second.params()).isEqualTo(first.params());
        assertThat(c).as("other replica counts draw other masks").isNotEqualTo(a);
    }

    @Test
    void stateSplitAcrossReplicasJoinsBackInRowOrder() throws IOException {
        StatefulLmNetwork net = net(hp(LossScale.TOKEN_MEAN, 0), DataType.DOUBLE);
        train(net, batches(2, DataType.DOUBLE), 1, 1);
        CarriedState before = net.carriedState();
        try (RowReplicas group = RowReplicas.attach(net, 3)) {
            CarriedState split = net.carriedState();
            before.layers().forEach((layer, arrays) -> arrays.forEach((key, array) ->
                    assertThat(split.layers().get(layer).get(key)).isEqualTo(array)));
            RowBlocks blocks = new RowBlocks(BS, 3);
            INDArray h = group.networks().get(2).ownCarriedState().layers().get(1).values().iterator().next();
            assertThat(h.rows()).isEqualTo(blocks.size(2));
        }
        CarriedState after = net.carriedState();
        before.layers().forEach((layer, arrays) -> arrays.forEach((key, array) ->
                assertThat(after.layers().get(layer).get(key)).isEqualTo(array)));
    }

    @Test
    void inferenceReplicasGiveOneNetworksOutputsAndMakeNoUpdater() throws IOException {
        StatefulLmNetwork net = net(hp(LossScale.TOKEN_MEAN, 0), DataType.DOUBLE);
        assertThat(net.getUpdater(false)).as("a network that never trained has none").isNull();
        List<DataSet> data = batches(3, DataType.DOUBLE);
        List<INDArray> alone = new ArrayList<>();
        for (DataSet d : data) {
            alone.add(net.rnnTimeStep(d.getFeatures()).dup());
        }
        net.rnnClearPreviousState();
        try (RowReplicas group = RowReplicas.attachForInference(net, 3)) {
            for (int i = 0; i < data.size(); i++) {
                List<INDArray> blocks = group.map(data.get(i).getFeatures(), null, (r, k, f, l) -> r.rnnTimeStep(f).dup());
                INDArray joined = Nd4j.concat(0, blocks.toArray(new INDArray[0]));
                assertThat(relativeDifference(joined, alone.get(i))).as("batch %d, state carried per replica", i)
                        .isLessThan(1e-12);
            }
            assertThat(net.getUpdater(false)).as("no updater made for inference").isNull();
        }
        assertThat(net.getUpdater(false)).as("nor when the replicas go").isNull();
    }

    @Test
    void rowBlocksDifferByAtMostOneRow() {
        RowBlocks b = new RowBlocks(7, 3);
        assertThat(List.of(b.start(0), b.start(1), b.start(2), b.end(2))).containsExactly(0, 3, 5, 7);
        assertThat(new RowBlocks(64, 16).size(15)).isEqualTo(4);
        assertThatThrownBy(() -> new RowBlocks(2, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RowBlocks(2, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
