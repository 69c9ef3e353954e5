package org.lmshards.trainer.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.io.LocalLockStore;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.trainer.train.rundir.Checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18 item 3: {@code train} locks its run directory. While a real second process trains in
 * a run directory, another {@code train} on it (fresh or {@code --resume}) is refused at once,
 * exit 1, naming the lock file and the holder's pid, and changes no file; {@code evaluate} and
 * {@code generate} refuse to read it the same way. After the training process is SIGKILLed its
 * lock is stale: readers ignore it and the next {@code train --resume} takes it over.
 */
class RunDirectoryLockTest {
    @TempDir
    static Path shared;
    static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeDataset() throws Exception {
        data = shared.resolve("ds");
        TinyRuns.writeDataset(data);
    }

    /** A tiny model (2.6 k parameters) on {@code dataDir}: a few seconds per epoch. */
    static List<String> trainArgs(Path dataDir, Path out, String epochs) {
        return TinyRuns.train(dataDir, out, "--epochs", epochs, "--lr", "1e-2", "--workers", "0");
    }

    @Test
    void aRunningTrainRefusesASecondTrainAndReadersAndAKilledRunsLockIsTakenOver() throws Exception {
        Path run = tmp.resolve("run");
        Path lock = LocalLockStore.lockFile(run);
        TinyRuns.Result first = TinyRuns.cli(trainArgs(data, run, "1"));
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(lock).as("released at the end").doesNotExist();

        // A second process continues the run for many epochs; it holds the lock from its start, and pauses
        // (holding it) three steps in, so that nothing the test checks depends on its speed.
        Path log = tmp.resolve("child.log");
        Path paused = tmp.resolve("paused");
        long linesAtStart = lines(run.resolve("steps.jsonl"));
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(ChildProcesses.pauseAt("step-" + (linesAtStart + 3), paused));
        Process child = TrainerCrashTest.child(log, jvm,
                List.of("train", "--resume", "--out", run.toString(), "--epochs", "1000", "--no-progress"));
        try {
            ChildProcesses.awaitFile(child, paused, log);
            assertThat(lock).as("held by the running train").exists();
            String pid = "pid " + child.pid();
            byte[] config = Files.readAllBytes(run.resolve("config.json"));
            byte[] model = Files.readAllBytes(run.resolve("model.zip"));
            long steps = lines(run.resolve("steps.jsonl"));

            TinyRuns.Result resume = TinyRuns.cli(List.of("train", "--resume", "--out", run.toString(),
                    "--epochs", "2", "--no-progress"));
            assertThat(resume.code()).as(resume.err()).isEqualTo(1);
            assertThat(resume.err()).contains("the run directory " + run + " is being written by another train")
                    .contains("lock file " + lock).contains(pid);
            TinyRuns.Result fresh = TinyRuns.cli(trainArgs(data, run, "1"));
            assertThat(fresh.code()).as(fresh.err()).isEqualTo(1);
            assertThat(fresh.err()).contains("lock file " + lock).contains(pid);

            TinyRuns.Result evaluate = TinyRuns.cli(List.of("evaluate", "--model", run.toString(),
                    "--data", data.toString()));
            assertThat(evaluate.code()).as(evaluate.err()).isEqualTo(1);
            assertThat(evaluate.err()).contains("is being written by a train").contains("lock file " + lock).contains(pid);
            TinyRuns.Result generate = TinyRuns.cli(List.of("generate", "--model", run.toString(),
                    "--prompt", "w1 w2", "--tokens", "3"));
            assertThat(generate.code()).as(generate.err()).isEqualTo(1);
            assertThat(generate.err()).contains("lock file " + lock).contains(pid);

            // The refused commands wrote nothing: config.json and model.zip are the child's, the log was not truncated.
            assertThat(Files.readAllBytes(run.resolve("config.json"))).isEqualTo(config);
            assertThat(Files.readAllBytes(run.resolve("model.zip"))).isEqualTo(model);
            assertThat(lines(run.resolve("steps.jsonl"))).isEqualTo(steps);
            assertThat(child.isAlive()).isTrue();
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(child.exitValue()).isEqualTo(137);
        assertThat(lock).as("a SIGKILLed run leaves its lock").exists();

        TinyRuns.Result evaluate = TinyRuns.cli(List.of("evaluate", "--model", run.toString(),
                "--data", data.toString()));
        assertThat(evaluate.code()).as("a stale lock does not stop readers: " + evaluate.err()).isZero();
        int done = Checkpoint.read(run.resolve("checkpoint.zip")).state().epoch();
        TinyRuns.Result resume = TinyRuns.cli(List.of("train", "--resume", "--out", run.toString(),
                "--epochs", Integer.toString(done + 1), "--no-progress"));
        assertThat(resume.code()).as(resume.err()).isZero();
        assertThat(lock).as("taken over, then released").doesNotExist();
    }

    private static long lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.endsWith("}")).count();
        } catch (Exception e) {
            return 0;
        }
    }
}
