package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LSTM stand-ins ({@link FusedLstmLayer}, {@link CachedForwardLstmLayer}) compute what DL4J's
 * own LSTM layer computes on the training path, in float64: the same outputs and carried state
 * from a non-zero starting state, the same gradients for the input and for every parameter, with
 * and without input dropout and weight dropout (whose masks every implementation draws in the same
 * order from ND4J's generator), over two segments in a row (the second starting from the state the
 * first carried, with buffers reused); and at inference ({@code rnnTimeStep}) the same outputs
 * and carried state.
 */
class LstmStandInTest {
    private static final int BATCH = 3, STEPS = 7;

    // float32 as trained (with the build NativeBuildSession chose), held to float precision
    // declarable tanh: the cached-forward layer's tanh by libnd4j's declarable op (oneDNN in the
    // oneDNN build), which it uses on wide layers only, here on every block
    @ParameterizedTest(name = "{0}, dropout: {1}, {2}, declarable tanh: {3}")
    @CsvSource({"FUSED, false, DOUBLE, false", "FUSED, true, DOUBLE, false", "CACHED_FORWARD, false, DOUBLE, false",
            "CACHED_FORWARD, true, DOUBLE, false", "CACHED_FORWARD, false, FLOAT, false", "CACHED_FORWARD, true, FLOAT, false",
            "CACHED_FORWARD, true, DOUBLE, true", "CACHED_FORWARD, false, FLOAT, true", "CACHED_FORWARD, true, FLOAT, true"})
    void sameOutputsStateAndGradientsAsDl4jsLstm(LstmImplementation implementation, boolean dropout, DataType type,
                                                 boolean declarableTanh) {
        double p = dropout ? 0.3 : 0;
        LmHyperParams hp = new LmHyperParams(13, 5, 9, 2, p, 0, p, 0, p, 1e-2, 0, 0, 11);
        StatefulLmNetwork net = new StatefulLmNetwork(LmNetworks.configuration(hp, STEPS, type),
                new NetworkImplementation(implementation, false));
        net.init();
        LmInitializer.apply(net, hp);
        net.initGradientsView();
        Class<?> expected = implementation == LstmImplementation.FUSED ? FusedLstmLayer.class : CachedForwardLstmLayer.class;
        for (int index : new int[] {1, 2}) { // 5 -> 9 units, then 9 -> 5
            Layer layer = net.getLayer(index);
            assertThat(layer).isInstanceOf(expected);
            if (declarableTanh) {
                ((CachedForwardLstmLayer) layer).useDeclarableTanhFrom(1);
            }
            LSTM standIn = (LSTM) layer;
            LSTM stock = new LSTM(standIn.conf(), type);
            stock.setParamsViewArray(standIn.params());
            stock.setParamTable(standIn.paramTable());
            stock.setBackpropGradientsViewArray(Nd4j.create(type, standIn.getGradientsViewArray().shape()));
            compare(standIn, stock, index, type);
            compare(standIn, stock, index + 10, type); // again: reused buffers hold nothing of the last segment
        }
    }

    // rnnTimeStep (evaluation, generation): the cached-forward layer's own forward pass, carrying its
    // state from call to call, across a change of segment length (the buffers are rebuilt) and
    // through single steps, which DL4J's code runs
    @ParameterizedTest(name = "{0}")
    @CsvSource({"DOUBLE", "FLOAT"})
    void inferenceCarriesTheSameOutputsAndStateAsDl4jsLstm(DataType type) {
        LmHyperParams hp = new LmHyperParams(13, 5, 9, 2, 0, 0, 0, 0, 0, 1e-2, 0, 0, 11);
        StatefulLmNetwork net = new StatefulLmNetwork(LmNetworks.configuration(hp, STEPS, type),
                new NetworkImplementation(LstmImplementation.CACHED_FORWARD, false));
        net.init();
        LmInitializer.apply(net, hp);
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        for (int index : new int[] {1, 2}) {
            CachedForwardLstmLayer cached = (CachedForwardLstmLayer) net.getLayer(index);
            LSTM stock = new LSTM(cached.conf(), type);
            stock.setParamsViewArray(cached.params());
            stock.setParamTable(cached.paramTable());
            long nIn = cached.getParam("W").size(0), units = cached.getParam("RW").size(0);
            Nd4j.getRandom().setSeed(index);
            INDArray h0 = Nd4j.randn(type, BATCH, units).muli(0.5);
            INDArray c0 = Nd4j.randn(type, BATCH, units);
            cached.rnnSetPreviousState(state(h0, c0));
            stock.rnnSetPreviousState(state(h0, c0));
            // a single step goes to DL4J's code (the buffers stay as they were): the state passes between both
            int[] buffersUsed = null;
            for (int steps : new int[] {STEPS, 1, 1, STEPS - 2}) {
                INDArray x = Nd4j.randn(type, BATCH, nIn, steps);
                INDArray a = cached.rnnTimeStep(x.dup(), mgr).dup();
                buffersUsed = steps == 1 ? buffersUsed : new int[] {BATCH, steps};
                assertThat(cached.bufferShape()).as("which forward pass ran").containsExactly(buffersUsed);
                INDArray b = stock.rnnTimeStep(x.dup(), mgr).dup();
                assertClose(a, b, "output of " + steps + " steps", tolerance);
                for (String key : new String[] {LSTM.STATE_KEY_PREV_ACTIVATION, LSTM.STATE_KEY_PREV_MEMCELL}) {
                    assertClose(cached.rnnGetPreviousState().get(key), stock.rnnGetPreviousState().get(key),
                            key + " after " + steps + " steps", tolerance);
                }
            }
        }
    }

    @Test
    void theDefaultGivesEveryLstmLayerTheCachedForwardPass() {
        LmHyperParams hp = new LmHyperParams(13, 64, 512, 2, 0, 0, 0, 0, 0, 1e-2, 0, 0, 11);
        StatefulLmNetwork net = LmNetworks.build(hp, STEPS, NetworkImplementation.DEFAULT);
        assertThat(net.getLayer(1)).isInstanceOf(CachedForwardLstmLayer.class);
        assertThat(net.getLayer(2)).isInstanceOf(CachedForwardLstmLayer.class);
        StatefulLmNetwork fused = LmNetworks.build(hp, STEPS, new NetworkImplementation(LstmImplementation.FUSED, false));
        assertThat(fused.getLayer(1)).isInstanceOf(FusedLstmLayer.class);
        assertThat(fused.getLayer(2)).isInstanceOf(FusedLstmLayer.class);
        StatefulLmNetwork stock = LmNetworks.build(hp, STEPS, new NetworkImplementation(LstmImplementation.DL4J, false));
        assertThat(stock.getLayer(1).getClass()).isEqualTo(LSTM.class);
        assertThat(stock.getLayer(2).getClass()).isEqualTo(LSTM.class);
    }

    @Test
    void aBackwardPassWithoutItsForwardPassFallsBackToDl4j() {
        LmHyperParams hp = new LmHyperParams(13, 5, 9, 2, 0, 0, 0, 0, 0, 1e-2, 0, 0, 11);
        StatefulLmNetwork net = new StatefulLmNetwork(LmNetworks.configuration(hp, STEPS, DataType.DOUBLE),
                new NetworkImplementation(LstmImplementation.CACHED_FORWARD, false));
        net.init();
        LmInitializer.apply(net, hp);
        net.initGradientsView();
        LSTM cached = (LSTM) net.getLayer(1); // 5 -> 9 units
        LSTM stock = new LSTM(cached.conf(), DataType.DOUBLE);
        stock.setParamsViewArray(cached.params());
        stock.setParamTable(cached.paramTable());
        stock.setBackpropGradientsViewArray(Nd4j.create(DataType.DOUBLE, cached.getGradientsViewArray().shape()));
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, BATCH, 5, STEPS);
        INDArray epsilon = Nd4j.randn(DataType.DOUBLE, BATCH, 9, STEPS);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        for (LSTM layer : new LSTM[] {cached, stock}) {
            layer.rnnSetPreviousState(state(Nd4j.zeros(DataType.DOUBLE, BATCH, 9), Nd4j.zeros(DataType.DOUBLE, BATCH, 9)));
            layer.rnnActivateUsingStoredState(x.dup(), true, true, mgr);
        }
        // another input set in between: the kept forward pass is not the one the backward pass is for
        INDArray other = Nd4j.randn(DataType.DOUBLE, BATCH, 5, STEPS);
        cached.setInput(other.dup(), mgr);
        stock.setInput(other.dup(), mgr);
        INDArray a = cached.tbpttBackpropGradient(epsilon.dup(), STEPS, mgr).getSecond().dup();
        INDArray b = stock.tbpttBackpropGradient(epsilon.dup(), STEPS, mgr).getSecond().dup();
        assertClose(a, b, "input gradient");
    }

    private static void compare(LSTM fused, LSTM stock, int seed, DataType type) {
        long nIn = fused.getParam("W").size(0), units = fused.getParam("RW").size(0);
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(type, BATCH, nIn, STEPS);
        INDArray h0 = Nd4j.randn(type, BATCH, units).muli(0.5);
        INDArray c0 = Nd4j.randn(type, BATCH, units);
        INDArray epsilon = Nd4j.randn(type, BATCH, units, STEPS);

        Pass a = run(fused, x, h0, c0, epsilon, seed);
        Pass b = run(stock, x, h0, c0, epsilon, seed);
        assertClose(a.output, b.output, "output", tolerance);
        assertClose(a.lastH, b.lastH, "carried h", tolerance);
        assertClose(a.lastC, b.lastC, "carried c", tolerance);
        assertClose(a.inputGrad, b.inputGrad, "input gradient", tolerance);
        assertThat(a.gradient.gradientForVariable().keySet())
                .containsExactlyElementsOf(b.gradient.gradientForVariable().keySet());
        for (String key : b.gradient.gradientForVariable().keySet()) {
            assertClose(a.gradient.getGradientFor(key), b.gradient.getGradientFor(key), key, tolerance);
        }
    }

    private record Pass(INDArray output, INDArray lastH, INDArray lastC, INDArray inputGrad, Gradient gradient) {
    }

    private static Pass run(LSTM layer, INDArray x, INDArray h0, INDArray c0, INDArray epsilon, long seed) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.rnnSetTBPTTState(state(h0, c0));
        layer.rnnSetPreviousState(state(h0, c0));
        Nd4j.getRandom().setSeed(seed + 100); // the same dropout masks for both
        INDArray out = layer.rnnActivateUsingStoredState(x.dup(), true, true, mgr).dup();
        INDArray lastH = layer.rnnGetTBPTTState().get(LSTM.STATE_KEY_PREV_ACTIVATION).dup();
        INDArray lastC = layer.rnnGetTBPTTState().get(LSTM.STATE_KEY_PREV_MEMCELL).dup();
        Pair<Gradient, INDArray> backward = layer.tbpttBackpropGradient(epsilon.dup(), STEPS, mgr);
        Gradient copy = new org.deeplearning4j.nn.gradient.DefaultGradient();
        backward.getFirst().gradientForVariable().forEach((k, v) -> copy.gradientForVariable().put(k, v.dup()));
        return new Pass(out, lastH, lastC, backward.getSecond().dup(), copy);
    }

    private static Map<String, INDArray> state(INDArray h, INDArray c) {
        Map<String, INDArray> m = new HashMap<>();
        m.put(LSTM.STATE_KEY_PREV_ACTIVATION, h.dup());
        m.put(LSTM.STATE_KEY_PREV_MEMCELL, c.dup());
        return m;
    }

    private static void assertClose(INDArray actual, INDArray expected, String what) {
        assertClose(actual, expected, what, 1e-12);
    }

    private static void assertClose(INDArray actual, INDArray expected, String what, double tolerance) {
        assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
        double scale = expected.amaxNumber().doubleValue();
        assertThat(scale).as(what + " is not trivially zero").isGreaterThan(1e-6);
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).as(what).isLessThan(tolerance * scale);
    }
}
