package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network exactly as the trainer builds it (embedding, two LSTMs, softmax output, the
 * run's loss scaling), in float64, checked against central finite differences of its own loss on
 * a batch that starts from a state carried over from the previous batch. This proves that the
 * loss DL4J differentiates is the one the trainer reports (the token mean, or DL4J's sum over
 * time / rows), that the carried state is an input of the forward pass and receives no
 * gradient (detached), and that no mask or padding changes what is differentiated.
 */
class LmGradientCheckTest {
    static final int VOCAB = 11, BATCH = 3, STEPS = 5;

    static StatefulLmNetwork doubleNet(LossScale scale) {
        return doubleNet(scale, LstmImplementation.AUTO);
    }

    static StatefulLmNetwork doubleNet(LossScale scale, LstmImplementation lstm) {
        OptimizerSettings o = OptimizerSettings.DEFAULTS.withLossScale(scale);
        LmHyperParams hp = new LmHyperParams(VOCAB, 4, 6, 2, 0, 0, 0, 0, 0, 1e-2, 0, 0, 5, o);
        StatefulLmNetwork net = new StatefulLmNetwork(LmNetworks.configuration(hp, STEPS, DataType.DOUBLE),
                new NetworkImplementation(lstm, false));
        net.init();
        LmInitializer.apply(net, hp);
        net.setGlobalClip(0);
        return net;
    }

    static INDArray ids(long seed) {
        Random r = new Random(seed);
        double[] v = new double[BATCH * STEPS];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(VOCAB);
        }
        return Nd4j.create(v, new long[] {BATCH, 1, STEPS}, 'c');
    }

    /** Loss of the batch from the given carried state, leaving the state as it was. */
    static double loss(StatefulLmNetwork net, INDArray x, INDArray y, List<Map<String, INDArray>> state) {
        restore(net, state);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        double s = net.score();
        restore(net, state);
        return s;
    }

    static List<Map<String, INDArray>> carried(StatefulLmNetwork net) {
        List<Map<String, INDArray>> s = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Map<String, INDArray> copy = new HashMap<>();
            if (net.getLayer(i) instanceof RecurrentLayer rl) {
                rl.rnnGetTBPTTState().forEach((k, v) -> copy.put(k, v.dup()));
            }
            s.add(copy);
        }
        return s;
    }

    static void restore(StatefulLmNetwork net, List<Map<String, INDArray>> state) {
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof RecurrentLayer rl) {
                // Training keeps both maps equal at a batch start (StatefulLmNetwork): DL4J's LSTM runs
                // its forward pass from the TBPTT map and recomputes it for backprop from the other.
                Map<String, INDArray> copy = new HashMap<>(), copy2 = new HashMap<>();
                state.get(i).forEach((k, v) -> copy.put(k, v.dup()));
                state.get(i).forEach((k, v) -> copy2.put(k, v.dup()));
                rl.rnnSetTBPTTState(copy);
                rl.rnnSetPreviousState(copy2);
            }
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"TOKEN_MEAN, FUSED", "SEQUENCE_SUM, FUSED", "TOKEN_MEAN, CACHED_FORWARD", "SEQUENCE_SUM, CACHED_FORWARD"})
    void backpropagationMatchesFiniteDifferencesFromACarriedState(LossScale scale, LstmImplementation lstm) {
        StatefulLmNetwork net = doubleNet(scale, lstm);
        // batch 1 with learning rate 0 (and no weight decay): parameters unchanged, state carried
        for (var layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b
                    && b.getIUpdater() instanceof org.nd4j.linalg.learning.config.Adam adam) {
                adam.setLearningRate(0);
            }
        }
        INDArray params0 = net.params().dup();
        net.fit(new org.nd4j.linalg.dataset.DataSet(ids(1), ids(2)));
        assertThat(net.params()).isEqualTo(params0);
        List<Map<String, INDArray>> state = carried(net);
        assertThat(state.get(1).values()).allSatisfy(a -> assertThat(a.norm2Number().doubleValue()).isGreaterThan(1e-3));

        INDArray x = ids(3), y = ids(4);
        double score = loss(net, x, y, state);
        restore(net, state);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        INDArray analytic = net.gradient().gradient().dup();
        if (scale == LossScale.SEQUENCE_SUM) {
            analytic.divi(BATCH); // what DL4J's updater does next with miniBatch on
        }

        // the score is the loss the trainer reports: the token mean (or its sum over time steps)
        double mean = explicitMeanLoss(net, x, y, state);
        double expected = scale == LossScale.TOKEN_MEAN ? mean : mean * STEPS;
        assertThat(score).isCloseTo(expected, within(1e-9));
        // with DL4J's summed loss the updater divides by the rows later; with the token mean it must not
        assertThat(net.conf().isMiniBatch()).isEqualTo(scale == LossScale.SEQUENCE_SUM);

        INDArray params = net.params();
        Random pick = new Random(9);
        double h = 1e-6;
        long checked = 0;
        for (long i = 0; i < params.length(); i += 1 + pick.nextInt(7)) {
            double orig = params.getDouble(i);
            params.putScalar(i, orig + h);
            double plus = loss(net, x, y, state);
            params.putScalar(i, orig - h);
            double minus = loss(net, x, y, state);
            params.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * h);
            double a = analytic.getDouble(i);
            assertThat(Math.abs(a - numeric)).as("parameter %d: analytic %s numeric %s", i, a, numeric)
                    .isLessThanOrEqualTo(1e-5 * Math.max(Math.abs(a), Math.abs(numeric)) + 1e-8);
            checked++;
        }
        assertThat(checked).isGreaterThan(params.length() / 6);

        // the carried state matters: from a zero state the gradient is different
        List<Map<String, INDArray>> zero = new ArrayList<>();
        for (Map<String, INDArray> m : state) {
            Map<String, INDArray> z = new HashMap<>();
            m.forEach((k, v) -> z.put(k, v.like().assign(0)));
            zero.add(z);
        }
        restore(net, zero);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        assertThat(net.gradient().gradient().equalsWithEps(analytic, 1e-6)).isFalse();
    }

    /** Mean cross-entropy from the softmax outputs of an inference pass from the same state. */
    static double explicitMeanLoss(StatefulLmNetwork net, INDArray x, INDArray y, List<Map<String, INDArray>> state) {
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof RecurrentLayer rl) {
                Map<String, INDArray> copy = new HashMap<>();
                state.get(i).forEach((k, v) -> copy.put(k, v.dup()));
                rl.rnnSetPreviousState(copy);
            }
        }
        INDArray p = net.rnnTimeStep(x);
        double sum = 0;
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < STEPS; t++) {
                sum -= Math.log(p.getDouble(b, (long) y.getDouble(b, 0, t), t));
            }
        }
        net.rnnClearPreviousState();
        return sum / (BATCH * STEPS);
    }
}
