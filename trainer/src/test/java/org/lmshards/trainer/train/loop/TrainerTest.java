package org.lmshards.trainer.train.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lmshards.trainer.model.LrSchedule;
import org.lmshards.trainer.model.OptimizerSettings;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.DropoutSeeds;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.rundir.Checkpoint;
import org.lmshards.trainer.train.rundir.EpochMetrics;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.train.rundir.TrainSettings;

class TrainerTest {
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    /** A sentence of 12 distinct tokens repeated: perfectly predictable after one period. */
    static int[] repeatedCorpus(int length) {
        int[] period = {3, 7, 1, 9, 4, 11, 2, 8, 5, 10, 6, 0};
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = period[i % period.length];
        }
        return t;
    }

    static int[] randomCorpus(int length, int vocab, long seed) {
        java.util.Random r = new java.util.Random(seed);
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            // a little structure: every other token depends on the previous one
            t[i] = i % 2 == 1 ? (t[i - 1] * 3 + 1) % vocab : r.nextInt(vocab);
        }
        return t;
    }

    static TrainSettings settings(LmHyperParams hp, int bs, int seqLen, int epochs, int checkpointBatches) {
        return new TrainSettings(hp, bs, seqLen, epochs, 0, 0, checkpointBatches, "in-memory");
    }

    @Test
    void tinyModelDrivesTrainingLossOnARepeatedCorpusCloseToZero() throws Exception {
        int vocab = 12;
        LmHyperParams hp = new LmHyperParams(vocab, 16, 32, 1, 0, 0, 0, 0, 0, 2e-2, 0, 1.0, 1);
        ArrayBatchSource train = new ArrayBatchSource(repeatedCorpus(8 * 16 * 8 + 1), 8, 16, vocab);
        ArrayBatchSource valid = new ArrayBatchSource(repeatedCorpus(4 * 16 * 2 + 1), 4, 16, vocab);
        Trainer.Result r = new Trainer(settings(hp, 8, 16, 12, 0), train, valid, tmp.resolve("run"), QUIET)
                .progress(false).run(false);
        List<EpochMetrics> m = r.metrics();
        assertThat(m).hasSize(12);
        assertThat(m.get(0).trainLoss()).isGreaterThan(1.5); // starts near ln(12) = 2.48
        assertThat(m.get(11).trainLoss()).isLessThan(0.05);
        assertThat(m.get(11).validLoss()).isLessThan(0.05);
        assertThat(m.get(11).validPerplexity()).isEqualTo(Math.exp(m.get(11).validLoss()));
        // run directory contents
        Path run = tmp.resolve("run");
        assertThat(run.resolve(RunFiles.MODEL)).isRegularFile();
        assertThat(run.resolve(RunFiles.REPORT)).isRegularFile();
        assertThat(run.resolve(RunFiles.CHECKPOINT)).isRegularFile();
        List<String> metricsLines = Files.readAllLines(run.resolve(RunFiles.METRICS));
        assertThat(metricsLines).hasSize(12);
        JsonNode last = SnakeCaseJson.MAPPER.readTree(metricsLines.get(11));
        assertThat(last.fieldNames()).toIterable().containsExactly("epoch", "train_loss", "valid_loss",
                "valid_perplexity", "tokens_per_s", "seconds");
        assertThat(last.get("epoch").asInt()).isEqualTo(12);
        assertThat(last.get("valid_loss").asDouble()).isEqualTo(m.get(11).validLoss());
        List<String> steps = Files.readAllLines(run.resolve(RunFiles.STEPS));
        assertThat(steps).hasSize((int) (12 * train.batchesPerEpoch()));
        JsonNode step = SnakeCaseJson.MAPPER.readTree(steps.get(steps.size() - 1));
        assertThat(step.get("step").asLong()).isEqualTo(steps.size());
        assertThat(step.get("epoch").asInt()).isEqualTo(12);
        assertThat(step.has("loss") && step.has("tokens_per_s")).isTrue();
        TrainSettings saved = SnakeCaseJson.MAPPER.readValue(run.resolve(RunFiles.CONFIG).toFile(), TrainSettings.class);
        assertThat(saved).isEqualTo(settings(hp, 8, 16, 12, 0));
        // the saved model evaluates to the reported valid loss
        StatefulLmNetwork loaded = LmNetworks.load(run.resolve(RunFiles.MODEL));
        assertThat(LossEvaluator.evaluate(loaded, valid).meanLoss()).isEqualTo(m.get(11).validLoss());
    }

    @ParameterizedTest
    @EnumSource(LrSchedule.class)
    void resumingAfterACrashGivesTheSameParametersAsAnUninterruptedRun(LrSchedule schedule) throws Exception {
        int vocab = 17;
        // dropout everywhere, so the per-step reseeding of the dropout RNG is exercised too; with
        // one-cycle, the learning rate and beta1 of every step come from its position in the run
        LmHyperParams hp = new LmHyperParams(vocab, 16, 32, 2, 0.3, 0.3, 0.4, 0, 0.2, 1e-2, 0.05, 0.5, 11,
                OptimizerSettings.DEFAULTS.withSchedule(schedule));
        int[] corpus = randomCorpus(4 * 10 * 6 + 1, vocab, 5); // 6 batches per epoch
        TrainSettings s = settings(hp, 4, 10, 3, 2);

        Path a = tmp.resolve("uninterrupted");
        Trainer.Result full = new Trainer(s, new ArrayBatchSource(corpus, 4, 10, vocab),
                new ArrayBatchSource(corpus, 2, 10, vocab), a, QUIET).progress(false).run(false);

        Path b = tmp.resolve("interrupted");
        // crash after 9 steps: mid epoch 2 (6 batches per epoch), one step after the checkpoint at batch 2
        Trainer crashing = new Trainer(s, new ArrayBatchSource(corpus, 4, 10, vocab),
                new ArrayBatchSource(corpus, 2, 10, vocab), b, QUIET).progress(false).crashAfterSteps(9);
        assertThatThrownBy(() -> crashing.run(false)).isInstanceOf(SimulatedCrash.class);
        assertThat(Files.exists(b.resolve(RunFiles.MODEL))).isFalse();
        Checkpoint cp = Checkpoint.read(b.resolve(RunFiles.CHECKPOINT));
        assertThat(cp.state().epoch()).isEqualTo(1);
        assertThat(cp.state().batchIndex()).isEqualTo(2);
        assertThat(cp.state().globalStep()).isEqualTo(8);
        assertThat(Files.readAllLines(b.resolve(RunFiles.STEPS))).hasSize(9);

        // as if it had also been killed while writing the next checkpoint: a torn temporary file
        Path torn = b.resolve(".checkpoint.zip.tmp-99999");
        Files.write(torn, new byte[] {'P', 'K', 3});

        Trainer.Result resumed = new Trainer(s, new ArrayBatchSource(corpus, 4, 10, vocab),
                new ArrayBatchSource(corpus, 2, 10, vocab), b, QUIET).progress(false).run(true);
        assertThat(resumed.network().params()).isEqualTo(full.network().params());
        assertThat(resumed.network().getUpdater().getStateViewArray())
                .isEqualTo(full.network().getUpdater().getStateViewArray());
        for (int i = 0; i < 3; i++) {
            EpochMetrics x = full.metrics().get(i), y = resumed.metrics().get(i);
            assertThat(y.trainLoss()).isEqualTo(x.trainLoss());
            assertThat(y.validLoss()).isEqualTo(x.validLoss());
        }
        // the logs hold each step and epoch exactly once
        List<String> steps = Files.readAllLines(b.resolve(RunFiles.STEPS));
        assertThat(steps).hasSize(18);
        for (int i = 0; i < steps.size(); i++) {
            assertThat(SnakeCaseJson.MAPPER.readTree(steps.get(i)).get("step").asLong()).isEqualTo(i + 1);
            assertThat(SnakeCaseJson.MAPPER.readTree(steps.get(i)).get("loss").asDouble())
                    .isEqualTo(SnakeCaseJson.MAPPER.readTree(Files.readAllLines(a.resolve(RunFiles.STEPS)).get(i)).get("loss").asDouble());
        }
        List<String> metricLines = Files.readAllLines(b.resolve(RunFiles.METRICS));
        assertThat(metricLines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode m = SnakeCaseJson.MAPPER.readTree(metricLines.get(i));
            assertThat(m.get("epoch").asInt()).isEqualTo(i + 1);
            assertThat(m.get("valid_loss").asDouble()).isEqualTo(full.metrics().get(i).validLoss());
        }
        assertThat(torn).doesNotExist();
    }

    @Test
    void aDivergingRunStopsWithAClearMessageAndKeepsTheLastGoodCheckpoint() throws Exception {
        int vocab = 17;
        int[] corpus = randomCorpus(4 * 10 * 6 + 1, vocab, 5);
        Path run = tmp.resolve("run");
        LmHyperParams sane = new LmHyperParams(vocab, 16, 32, 1, 0, 0, 0, 0, 0, 1e-2, 0, 0, 3);
        new Trainer(settings(sane, 4, 10, 1, 0), new ArrayBatchSource(corpus, 4, 10, vocab), null, run, QUIET)
                .progress(false).run(false);
        byte[] goodCheckpoint = Files.readAllBytes(run.resolve(RunFiles.CHECKPOINT));
        Files.delete(run.resolve(RunFiles.MODEL));

        // continue the same run with an absurd learning rate: the loss explodes in epoch 2
        LmHyperParams absurd = new LmHyperParams(vocab, 16, 32, 1, 0, 0, 0, 0, 0, 1e4, 0, 0, 3);
        Checkpoint cp = Checkpoint.read(run.resolve(RunFiles.CHECKPOINT));
        cp.network().getLayerWiseConfigurations();
        for (org.deeplearning4j.nn.api.Layer l : cp.network().getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
            if (conf instanceof org.deeplearning4j.nn.conf.layers.BaseLayer bl) {
                bl.setIUpdater(new org.nd4j.linalg.learning.config.Adam(1e4));
            }
        }
        new Checkpoint(cp.network(), cp.state()).write(run.resolve(RunFiles.CHECKPOINT));
        goodCheckpoint = Files.readAllBytes(run.resolve(RunFiles.CHECKPOINT));
        assertThatThrownBy(() -> new Trainer(settings(absurd, 4, 10, 2, 0), new ArrayBatchSource(corpus, 4, 10, vocab),
                null, run, QUIET).progress(false).run(true))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("diverged at epoch 2")
                .hasMessageContaining("--lr")
                .hasMessageContaining(run.resolve(RunFiles.CHECKPOINT).toString());
        assertThat(Files.readAllBytes(run.resolve(RunFiles.CHECKPOINT))).isEqualTo(goodCheckpoint);
        assertThat(run.resolve(RunFiles.MODEL)).doesNotExist();
    }

    @Test
    void nativeAndHeapAllocationFailuresCountAsOutOfMemory() {
        // what ND4J throws when a native allocation fails (seen with a 4096 x 4096 batch), and JavaCPP's limit
        assertThat(Trainer.isOutOfMemory(new RuntimeException("std::bad_alloc"))).isTrue();
        assertThat(Trainer.isOutOfMemory(new IllegalStateException("wrapped", new OutOfMemoryError(
                "Cannot allocate new LongPointer(10): totalBytes = 1, physicalBytes = 2")))).isTrue();
        assertThat(Trainer.isOutOfMemory(new OutOfMemoryError("Java heap space"))).isTrue();
        assertThat(Trainer.isOutOfMemory(new IllegalArgumentException("shape mismatch"))).isFalse();
    }

    @Test
    void stepSeedsDifferPerStepAndSeed() {
        assertThat(DropoutSeeds.forStep(1, 0)).isNotEqualTo(DropoutSeeds.forStep(1, 1)).isNotEqualTo(DropoutSeeds.forStep(2, 0));
        assertThat(DropoutSeeds.forStep(1, 5)).isEqualTo(DropoutSeeds.forStep(1, 5));
    }
}
