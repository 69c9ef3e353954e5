package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The faster output layer computes what DL4J's stock {@link RnnOutputLayer} computes: the same
 * score and the same gradient for every parameter of the network, in float64, and a saved model
 * still names only DL4J's classes.
 */
class LmOutputLayerTest {

    @Test
    void sameScoreAndGradientAsDl4jsStockOutputLayer() {
        StatefulLmNetwork fast = LmGradientCheckTest.doubleNet(LossScale.TOKEN_MEAN);
        MultiLayerNetwork stock = new MultiLayerNetwork(fast.getLayerWiseConfigurations().clone());
        stock.init(fast.params().dup(), false);
        assertThat(fast.getOutputLayer()).isInstanceOf(LmOutputLayer.class);
        assertThat(stock.getOutputLayer().getClass()).isEqualTo(RnnOutputLayer.class);

        // from a zero state, where DL4J's own truncated-BPTT backward pass is right too
        INDArray x = LmGradientCheckTest.ids(5), y = LmGradientCheckTest.ids(6);
        for (MultiLayerNetwork net : new MultiLayerNetwork[] {fast, stock}) {
            net.setInput(x);
            net.setLabels(y);
            net.computeGradientAndScore();
        }
        assertThat(fast.score()).isCloseTo(stock.score(), within(1e-12));
        INDArray g = fast.gradient().gradient(), expected = stock.gradient().gradient();
        assertThat(g.length()).isEqualTo(fast.numParams());
        double scale = expected.amaxNumber().doubleValue();
        assertThat(scale).isGreaterThan(1e-4);
        assertThat(g.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-12 * scale);
        // inference: the same softmax outputs
        INDArray probabilities = fast.output(x);
        assertThat(probabilities.sub(stock.output(x)).amaxNumber().doubleValue()).isLessThan(1e-14);
        assertThat(probabilities.sum(1).sub(1.0).amaxNumber().doubleValue()).isLessThan(1e-12);
        // each variable reaches the updater under DL4J's name
        assertThat(fast.gradient().gradientForVariable().keySet())
                .containsExactlyInAnyOrderElementsOf(stock.gradient().gradientForVariable().keySet());
    }

    @Test
    void theScoreFollowsParametersSetBetweenTheBackwardPassAndScoring() {
        StatefulLmNetwork net = LmGradientCheckTest.doubleNet(LossScale.TOKEN_MEAN);
        net.initGradientsView();
        LmOutputLayer out = (LmOutputLayer) net.getOutputLayer();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        out.setInput(Nd4j.rand(DataType.DOUBLE, LmGradientCheckTest.BATCH, out.getParam("W").size(0),
                LmGradientCheckTest.STEPS), mgr);
        out.setLabels(LmGradientCheckTest.ids(6));
        out.backpropGradient(null, mgr);
        // DL4J scores right after the backward pass; here the weights change in between
        out.setParam("W", out.getParam("W").mul(1.5));
        double score = out.computeScore(0, true, mgr);

        RnnOutputLayer stock = new RnnOutputLayer(out.conf(), DataType.DOUBLE);
        stock.setParamsViewArray(out.params());
        stock.setParamTable(out.paramTable());
        stock.setInput(out.getInput(), mgr);
        stock.setLabels(out.getLabels());
        assertThat(score).isCloseTo(stock.computeScore(0, true, mgr), within(1e-12));
    }

    @Test
    void savedModelNamesDl4jsLayerAndLoadsWithTheFastOne(@TempDir Path dir) throws Exception {
        StatefulLmNetwork net = LmGradientCheckTest.doubleNet(LossScale.TOKEN_MEAN);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LmNetworks.save(net, bytes);
        Path file = dir.resolve("model.zip");
        Files.write(file, bytes.toByteArray());

        assertThat(net.getLayerWiseConfigurations().toJson()).doesNotContain("LmOutputLayer");
        StatefulLmNetwork loaded = LmNetworks.load(file);
        assertThat(loaded.getOutputLayer()).isInstanceOf(LmOutputLayer.class);
        assertThat(loaded.params()).isEqualTo(net.params());
        INDArray x = LmGradientCheckTest.ids(7);
        assertThat(loaded.output(x)).isEqualTo(net.output(x));
    }
}
