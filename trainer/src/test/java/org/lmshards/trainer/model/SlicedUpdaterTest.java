package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lmshards.trainer.testing.WikiTextDatasets;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The optimizer step that row replicas run slice by slice on their threads is DL4J's serial
 * update to the bit: the same gradients through Adam with decoupled weight decay give the same
 * update, the same Adam state and the same parameters, for both loss scales (the summed one, SEQUENCE_SUM,
 * divides by the batch rows inside the updater) and for any number of slices. Per-layer clipping
 * reads whole layers, so with it the update stays DL4J's own.
 */
class SlicedUpdaterTest {
    static final int STEPS = 4;

    @TempDir
    static Path tmp;
    static int vocab;

    @BeforeAll
    static void buildVocabulary() throws IOException {
        vocab = WikiTextDatasets.build(tmp.resolve("ds"), 6, 2, 3).size();
    }

    @ParameterizedTest(name = "{0}, {1}, {2} replicas")
    @CsvSource({"TOKEN_MEAN, GLOBAL, 2", "TOKEN_MEAN, GLOBAL, 3", "SEQUENCE_SUM, GLOBAL, 3", "TOKEN_MEAN, LAYER, 2"})
    @SuppressWarnings("try") // the replicas are attached for the scope, not called
    void slicedUpdatesEqualDl4jsSerialUpdateBitForBit(LossScale scale, ClipScope clip, int replicas) {
        OptimizerSettings o = OptimizerSettings.DEFAULTS.withLossScale(scale).withClipScope(clip);
        LmHyperParams hp = new LmHyperParams(vocab, 16, 24, 2, 0, 0, 0, 0, 0, 1e-2, 0.01, 0.25, 3, o);
        StatefulLmNetwork serial = RowReplicasTest.net(hp, DataType.FLOAT);
        StatefulLmNetwork sliced = RowReplicasTest.net(hp, DataType.FLOAT);
        assertThat(sliced.params().toFloatVector()).isEqualTo(serial.params().toFloatVector());
        try (RowReplicas group = RowReplicas.attach(sliced, replicas)) {
            assertThat(sliced.getUpdater()).isInstanceOf(SlicedUpdater.class);
            Nd4j.getRandom().setSeed(11);
            for (int step = 0; step < STEPS; step++) {
                INDArray gradient = Nd4j.randn(DataType.FLOAT, serial.params().shape()).muli(0.05);
                update(serial, gradient, step);
                update(sliced, gradient, step);
                assertThat(((SlicedUpdater) sliced.getUpdater()).lastSlices()).isEqualTo(clip == ClipScope.LAYER ? 0 : replicas);
                assertThat(sliced.getFlattenedGradients().toFloatVector()).as("update of step %d", step)
                        .isEqualTo(serial.getFlattenedGradients().toFloatVector());
                assertThat(sliced.getUpdater().getStateViewArray().toFloatVector()).as("Adam state after step %d", step)
                        .isEqualTo(serial.getUpdater().getStateViewArray().toFloatVector());
                assertThat(sliced.params().toFloatVector()).as("parameters after step %d", step)
                        .isEqualTo(serial.params().toFloatVector());
            }
            assertThat(sliced.params().toFloatVector()).isNotEqualTo(RowReplicasTest.net(hp, DataType.FLOAT).params().toFloatVector());
        }
        assertThat(sliced.getUpdater()).isExactlyInstanceOf(MultiLayerUpdater.class);
        assertThat(sliced.getUpdater().getStateViewArray().toFloatVector())
                .isEqualTo(serial.getUpdater().getStateViewArray().toFloatVector());
    }

    /** The optimizer's part of a training step: the updater turns the gradient into the step, which is subtracted. */
    private static void update(StatefulLmNetwork net, INDArray gradient, int iteration) {
        Updater updater = net.getUpdater(); // creates the gradient view on first use
        INDArray view = net.getFlattenedGradients();
        view.assign(gradient.reshape(view.shape()));
        updater.update(net, new DefaultGradient(view), iteration, 0, RowReplicasTest.BS, LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(view.reshape(net.params().shape()));
    }
}
