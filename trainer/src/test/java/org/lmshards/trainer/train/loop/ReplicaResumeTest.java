package org.lmshards.trainer.train.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.lmshards.trainer.train.loop.TrainerTest.QUIET;
import static org.lmshards.trainer.train.loop.TrainerTest.randomCorpus;
import static org.lmshards.trainer.train.loop.TrainerTest.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lmshards.trainer.model.CarriedState;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.rundir.Checkpoint;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;

/**
 * Checkpoints and resume with data-parallel replicas: a run resumes bit-identically with the
 * replica count it was written with, and a checkpoint written with 2 replicas (the carried state
 * of all rows in row order) resumes with 1 or 3 on the path the 2-replica run takes.
 */
class ReplicaResumeTest {
    static final int VOCAB = 17, BS = 4, SEQ = 10;
    static final int[] CORPUS = randomCorpus(BS * SEQ * 6 + 1, VOCAB, 5); // 6 batches per epoch

    @TempDir
    Path tmp;

    static LmHyperParams hp(double dropout) {
        return new LmHyperParams(VOCAB, 16, 32, 2, dropout, dropout, dropout, 0, dropout, 1e-2, 0.05, 0.5, 11);
    }

    static Trainer trainer(LmHyperParams hp, Path run, int replicas) {
        return new Trainer(settings(hp, BS, SEQ, 3, 2), new ArrayBatchSource(CORPUS, BS, SEQ, VOCAB),
                new ArrayBatchSource(CORPUS, 2, SEQ, VOCAB), run, QUIET).progress(false).replicas(replicas);
    }

    static List<Double> stepLosses(Path run) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(RunFiles.STEPS))) {
            out.add(SnakeCaseJson.MAPPER.readTree(line).get("loss").asDouble());
        }
        return out;
    }

    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void aRunResumesBitIdenticallyWithItsReplicaCount() throws Exception {
        LmHyperParams hp = hp(0.3); // dropout on: the replicas' masks must be drawn again exactly
        Trainer.Result full = trainer(hp, tmp.resolve("full"), 2).run(false);
        Path b = tmp.resolve("crashed");
        Trainer crashing = trainer(hp, b, 2).crashAfterSteps(9);
        assertThatThrownBy(() -> crashing.run(false)).isInstanceOf(SimulatedCrash.class);
        Trainer.Result resumed = trainer(hp, b, 2).run(true);
        assertThat(resumed.network().params()).isEqualTo(full.network().params());
        assertThat(resumed.network().getUpdater().getStateViewArray()).isEqualTo(full.network().getUpdater().getStateViewArray());
        assertThat(stepLosses(b)).containsExactlyElementsOf(stepLosses(tmp.resolve("full")));
        for (int i = 0; i < 3; i++) {
            assertThat(resumed.metrics().get(i).validLoss()).isEqualTo(full.metrics().get(i).validLoss());
        }
    }

    @ParameterizedTest(name = "resumed with {0} replica(s)")
    @ValueSource(ints = {1, 3})
    void aCheckpointWrittenWithTwoReplicasResumesWithAnotherCount(int replicas) throws Exception {
        LmHyperParams hp = hp(0); // without dropout every replica count computes the same steps
        Path full = tmp.resolve("full");
        trainer(hp, full, 2).run(false);
        Path crashed = tmp.resolve("crashed");
        Trainer crashing = trainer(hp, crashed, 2).crashAfterSteps(9); // checkpoint at epoch 2, batch 2 (step 8)
        assertThatThrownBy(() -> crashing.run(false)).isInstanceOf(SimulatedCrash.class);
        Checkpoint cp = Checkpoint.read(crashed.resolve(RunFiles.CHECKPOINT));
        assertThat(cp.network().carriedState().rows()).as("all rows are saved").isEqualTo(BS);

        Path resumed = tmp.resolve("resumed");
        copy(crashed, resumed);
        trainer(hp, resumed, replicas).run(true);
        List<Double> expected = stepLosses(full), actual = stepLosses(resumed);
        assertThat(actual).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 8; i < expected.size(); i++) {
            worst = Math.max(worst, Math.abs(actual.get(i) - expected.get(i)) / expected.get(i));
        }
        assertThat(worst).as("float32 rounding only").isLessThan(1e-4);

        // the check can fail: the same resume from a zeroed carried state takes another path
        Path zeroed = tmp.resolve("zeroed");
        copy(crashed, zeroed);
        StatefulLmNetwork net = cp.network();
        net.rnnClearPreviousState();
        new Checkpoint(net, cp.state()).write(zeroed.resolve(RunFiles.CHECKPOINT));
        trainer(hp, zeroed, replicas).run(true);
        double first = stepLosses(zeroed).get(8);
        assertThat(Math.abs(first - expected.get(8)) / expected.get(8)).isGreaterThan(100 * worst).isGreaterThan(1e-4);
    }

    @Test
    void replicasMustHaveARowEach() {
        assertThatThrownBy(() -> trainer(hp(0), tmp.resolve("r"), BS + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch size");
        assertThatThrownBy(() -> trainer(hp(0), tmp.resolve("r"), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void carriedStateRowsFollowTheBatchRows() throws Exception {
        Path run = tmp.resolve("run");
        Trainer crashing = trainer(hp(0), run, 3).crashAfterSteps(3);
        SimulatedCrash crash = catchThrowableOfType(SimulatedCrash.class, () -> crashing.run(false));
        CarriedState state = crash.network().carriedState();
        assertThat(state.rows()).isEqualTo(BS);
    }
}
