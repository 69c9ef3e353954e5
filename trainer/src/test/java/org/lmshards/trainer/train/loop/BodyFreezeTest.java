package org.lmshards.trainer.train.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.trainer.finetune.PretrainedWeights;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.OptimizerSettings;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.rundir.TrainSettings;

/** {@code --freeze-epochs}: frozen LSTMs during the first epochs, and a resume that freezes where the run did. */
class BodyFreezeTest {
    @TempDir
    Path tmp;

    private static final int VOCAB = 17;
    private static final LmHyperParams HP = new LmHyperParams(VOCAB, 16, 24, 2, 0.3, 0.3, 0.4, 0, 0.2, 1e-2, 0.05, 0.5, 11,
            OptimizerSettings.DEFAULTS);
    private static final int[] CORPUS = TrainerTest.randomCorpus(4 * 10 * 6 + 1, VOCAB, 5); // 6 batches per epoch

    private Trainer trainer(TrainSettings s, Path dir, PrintStream console) {
        return new Trainer(s, new ArrayBatchSource(CORPUS, 4, 10, VOCAB), new ArrayBatchSource(CORPUS, 2, 10, VOCAB), dir,
                console).progress(false);
    }

    private static List<Layer> lstms(StatefulLmNetwork net) {
        return PretrainedWeights.lstms(net);
    }

    @Test
    void frozenEpochsTrainOnlyTheEmbeddingAndOutputLayer() throws Exception {
        TrainSettings s = TrainerTest.settings(HP, 4, 10, 1, 0).withFineTuning(1, null);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result r = trainer(s, tmp.resolve("frozen"), new PrintStream(log, true, StandardCharsets.UTF_8)).run(false);
        StatefulLmNetwork initial = LmNetworks.build(HP, 10); // the same seed: the run's starting point
        for (int i = 0; i < 2; i++) {
            assertThat(lstms(r.network()).get(i).params()).isEqualTo(lstms(initial).get(i).params());
        }
        assertThat(r.network().getLayer(0).params()).isNotEqualTo(initial.getLayer(0).params());
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("epoch 1/1: frozen, training only the embedding and"
                + " output layer");
    }

    @Test
    void aRunResumedInsideTheFrozenEpochUnfreezesWhereAnUninterruptedRunDoes() throws Exception {
        TrainSettings s = TrainerTest.settings(HP, 4, 10, 3, 2).withFineTuning(2, null);
        ByteArrayOutputStream fullLog = new ByteArrayOutputStream();
        Trainer.Result full = trainer(s, tmp.resolve("uninterrupted"), new PrintStream(fullLog, true, StandardCharsets.UTF_8))
                .run(false);
        // each phase is announced once: at the start and at the switch
        String fullText = fullLog.toString(StandardCharsets.UTF_8);
        assertThat(fullText.split("frozen, training only", -1)).hasSize(2);
        assertThat(fullText).contains("epoch 1/3: frozen, training only the embedding and output layer (until epoch 2)")
                .contains("epoch 3/3: unfrozen");

        Path b = tmp.resolve("interrupted");
        // crash at step 9: in epoch 2, still frozen, one step after the checkpoint at its batch 2
        Trainer crashing = trainer(s, b, TrainerTest.QUIET).crashAfterSteps(9);
        assertThatThrownBy(() -> crashing.run(false)).isInstanceOf(SimulatedCrash.class);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result resumed = trainer(s, b, new PrintStream(log, true, StandardCharsets.UTF_8)).run(true);

        assertThat(resumed.network().params()).isEqualTo(full.network().params());
        assertThat(resumed.network().getUpdater().getStateViewArray())
                .isEqualTo(full.network().getUpdater().getStateViewArray());
        StatefulLmNetwork initial = LmNetworks.build(HP, 10);
        for (int i = 0; i < 2; i++) {
            assertThat(lstms(full.network()).get(i).params()).isNotEqualTo(lstms(initial).get(i).params());
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("epoch 2/3: frozen").contains("epoch 3/3: unfrozen, training all layers");
        assertThat(text.split("unfrozen", -1)).hasSize(2); // marked once, at the switch
        assertThat(text.indexOf("epoch 2/3: frozen")).isLessThan(text.indexOf("epoch 3/3: unfrozen"));
    }
}
