package org.lmshards.trainer.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.trainer.cli.LmShardsCli;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.train.rundir.Checkpoint;
import org.lmshards.trainer.train.rundir.TrainState;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Issue 6, "Training": the trainer process is SIGKILLed mid-epoch and in the middle of writing a
 * checkpoint, and {@code train --resume} ends with exactly the parameters of an uninterrupted run
 * with the same seed; a diverging run stops with a clear message and keeps the last good
 * checkpoint and model; a batch too large for the memory gives a message suggesting a smaller
 * {@code --bs}/{@code --seq-len}. Tiny models; the killed runs are child JVMs
 * ({@code java -cp <test classpath> org.lmshards.trainer.cli.LmShardsCli train ...}).
 */
class TrainerCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    static Path data;
    static Path bigData;
    /** Final parameters of the uninterrupted run. */
    static INDArray referenceParams;
    static List<String> referenceMetricsLosses;
    static long batchesPerEpoch;

    @TempDir
    Path tmp;

    /** Settings of every run here: 3 epochs of ~40 batches, a checkpoint at every epoch end. */
    static List<String> trainArgs(Path dataDir, Path out) {
        return trainArgs(dataDir, out, 0);
    }

    /** The same, with mid-epoch checkpoints every {@code checkpointBatches} batches (0: none); the result is the same. */
    static List<String> trainArgs(Path dataDir, Path out, int checkpointBatches) {
        return TinyRuns.train(dataDir, out, "--epochs", "3", "--lr", "1e-2", "--workers", "1", "--checkpoint-batches",
                Integer.toString(checkpointBatches));
    }

    @BeforeAll
    static void writeDatasetsAndReference() throws Exception {
        data = shared.resolve("ds");
        TinyRuns.writeDataset(data);
        Path ref = shared.resolve("reference");
        TinyRuns.Result r = TinyRuns.cli(trainArgs(data, ref));
        assertThat(r.code()).as(r.err()).isZero();
        Matcher m = Pattern.compile("(\\d+) batches of 4 x 12 per epoch").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        batchesPerEpoch = Long.parseLong(m.group(1));
        assertThat(batchesPerEpoch).isGreaterThan(20);
        referenceParams = LmNetworks.load(ref.resolve("model.zip")).params().dup();
        referenceMetricsLosses = losses(ref);
        assertThat(referenceMetricsLosses).hasSize(3);
    }

    @Test
    void killedMidEpochResumesFromTheLastCheckpointToTheParametersOfAnUninterruptedRun() throws Exception {
        Path run = tmp.resolve("run");
        // Kill in the middle of the second epoch; the last complete checkpoint is the one after epoch 1.
        long killAfter = batchesPerEpoch() + batchesPerEpoch() / 2;
        killAt("step-" + killAfter, trainArgs(data, run));
        assertThat(lines(run.resolve("steps.jsonl"))).isEqualTo(killAfter);
        assertThat(run.resolve("model.zip")).doesNotExist();
        assertThat(Checkpoint.read(run.resolve("checkpoint.zip")).state().epoch()).isEqualTo(1);
        resumeAndCompare(run);
    }

    /**
     * Resuming from a mid-epoch checkpoint ({@code --checkpoint-batches}) is exact too: the carried
     * LSTM state is restored as truncated BPTT reads it (this test found that it was not).
     */
    @Test
    void killedMidEpochResumesFromAMidEpochCheckpointToTheParametersOfAnUninterruptedRun() throws Exception {
        Path run = tmp.resolve("run");
        long killAfter = batchesPerEpoch() + 6; // checkpoints every 4 batches: the last one 2 batches earlier
        killAt("step-" + killAfter, trainArgs(data, run, 4));
        TrainState kept = Checkpoint.read(run.resolve("checkpoint.zip")).state();
        assertThat(kept.batchIndex()).isPositive();
        assertThat(kept.globalStep()).isEqualTo(killAfter - 2);
        resumeAndCompare(run);
    }

    /**
     * Issue 15 item 4: Ctrl-C before the first checkpoint finishes the batch, writes a
     * checkpoint, says how to resume and exits 130; the resumed run ends exactly as an
     * uninterrupted one. The child pauses after step 2 until the signal arrives (issue 25: the
     * whole run once ended before a SIGINT sent at a guessed moment).
     */
    @Test
    void ctrlCWritesACheckpointSaysHowToResumeAndExits130() throws Exception {
        assumeFalse(ChildProcesses.sigintIgnored(), "SIGINT is ignored in this environment (a background job"
                + " without job control): a child JVM inherits that and cannot see a Ctrl-C");
        Path run = tmp.resolve("run");
        Path log = tmp.resolve("train.log");
        Process p = startAndPauseAfterStep(run, log, 2);
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            String output = Files.readString(log);
            assertThat(p.exitValue()).as(output).isEqualTo(130);
            assertThat(output).contains("SIGINT: stopping after the current batch")
                    .contains("resume with: java -jar trainer/target/trainer.jar train --resume --out " + run);
        } finally {
            p.destroyForcibly();
        }
        TrainState stopped = Checkpoint.readState(run.resolve("checkpoint.zip"));
        assertThat(stopped.globalStep()).isEqualTo(2).isEqualTo(lines(run.resolve("steps.jsonl")));
        assertThat(run.resolve("model.zip")).doesNotExist();
        resumeAndCompare(run);
    }

    /** The same for SIGTERM (what a scheduler or {@code kill} sends): exit 143. */
    @Test
    void sigtermWritesACheckpointAndExits143() throws Exception {
        Path run = tmp.resolve("run");
        Path log = tmp.resolve("train.log");
        Process p = startAndPauseAfterStep(run, log, 2);
        try {
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isEqualTo(143);
        } finally {
            p.destroyForcibly();
        }
        assertThat(Checkpoint.readState(run.resolve("checkpoint.zip")).globalStep()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("SIGTERM").contains("--resume --out " + run);
    }

    /** Starts a training that pauses after {@code step} until a stop is requested; returns once it is there. */
    private Process startAndPauseAfterStep(Path run, Path log, long step) throws Exception {
        Path paused = tmp.resolve("paused");
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(ChildProcesses.pauseAt("step-" + step, paused));
        Process p = child(log, jvm, trainArgs(data, run));
        ChildProcesses.awaitFile(p, paused, log);
        return p;
    }

    @Test
    void killedWhileWritingACheckpointResumesFromThePreviousOne() throws Exception {
        Path run = tmp.resolve("run");
        // Killed while the checkpoint of epoch 2 is being written: its temporary file exists, half written.
        long pid = killAt("writing-checkpoint.zip#2", trainArgs(data, run));
        assertThat(run.resolve(".checkpoint.zip.tmp-" + pid)).exists();
        assertThat(Checkpoint.read(run.resolve("checkpoint.zip")).state().epoch()).isEqualTo(1);
        assertThat(run.resolve("model.zip")).doesNotExist();
        resumeAndCompare(run);
        assertThat(run.resolve(".checkpoint.zip.tmp-" + pid)).as("the dead run's temporary is removed").doesNotExist();
    }

    @Test
    void explodingLossStopsWithAClearMessageAndKeepsTheLastGoodCheckpointAndModel() throws Exception {
        Path run = tmp.resolve("run");
        List<String> a = trainArgs(data, run);
        a.set(a.indexOf("--epochs") + 1, "1");
        TinyRuns.Result first = TinyRuns.cli(a);
        assertThat(first.code()).as(first.err()).isZero();
        byte[] goodModel = Files.readAllBytes(run.resolve("model.zip"));
        // Continue with an absurd learning rate (in the run's config and in the network configuration that the
        // checkpoint carries): Adam steps of 1e4 per parameter blow the loss up within a batch or two.
        ObjectNode config = (ObjectNode) JSON.readTree(run.resolve("config.json").toFile());
        ((ObjectNode) config.get("model")).put("lr", 1e4);
        JSON.writerWithDefaultPrettyPrinter().writeValue(run.resolve("config.json").toFile(), config);
        setLearningRate(run.resolve("checkpoint.zip"), 1e4);
        byte[] explosiveCheckpoint = Files.readAllBytes(run.resolve("checkpoint.zip"));
        TinyRuns.Result r = TinyRuns.cli(List.of("train", "--out", run.toString(), "--resume", "--epochs", "3", "--no-progress"));
        assertThat(r.code()).as(r.out() + r.err()).isNotZero();
        assertThat(r.err()).contains("error: ").contains("diverged").contains("--lr")
                .contains("last good checkpoint").contains(run.resolve("checkpoint.zip").toString());
        assertThat(r.err().lines().count()).as("one clear line, not a stack trace").isLessThanOrEqualTo(2);
        assertThat(run.resolve("checkpoint.zip")).as("the last checkpoint before the divergence is kept")
                .hasBinaryContent(explosiveCheckpoint);
        assertThat(run.resolve("model.zip")).hasBinaryContent(goodModel);
        assertThat(LmNetworks.load(run.resolve("model.zip")).params().norm2Number().doubleValue()).isFinite();
    }

    @Test
    void aBatchTooLargeForTheMemorySuggestsSmallerBsAndSeqLen() throws Exception {
        Path run = tmp.resolve("run");
        // 256 x 256 time steps x 512 LSTM units do not fit the 96 MiB that -Xmx96m allows ND4J (JavaCPP maxbytes).
        List<String> a = new ArrayList<>(List.of("train", "--data", bigData().toString(), "--out", run.toString(),
                "--bs", "256", "--seq-len", "256", "--emb", "16", "--hidden", "512", "--layers", "2", "--epochs", "1",
                "--workers", "0", "--no-progress"));
        Path log = tmp.resolve("oom.log");
        Process p = child(log, List.of("-Xmx96m"), a);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("error: out of memory with batch size 256, sequence length 256")
                .contains("--bs").contains("--seq-len");
        assertThat(out).doesNotContain("\tat org.deeplearning4j").doesNotContain("\tat java.");
        assertThat(run.resolve("model.zip")).doesNotExist();
    }

    // ------------------------------------------------------------------------------------------

    private static void resumeAndCompare(Path run) throws IOException {
        TinyRuns.Result r = TinyRuns.cli(List.of("train", "--out", run.toString(), "--resume", "--no-progress"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("resuming");
        INDArray params = LmNetworks.load(run.resolve("model.zip")).params();
        assertThat(params.equals(referenceParams)).as("final parameters equal the uninterrupted run's").isTrue();
        assertThat(losses(run)).isEqualTo(referenceMetricsLosses);
    }

    private static long batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /**
     * Runs the training as a child JVM that pauses at {@code point} (see {@link ChildProcesses}),
     * SIGKILLs it there and returns its pid.
     */
    private long killAt(String point, List<String> args) throws Exception {
        Path log = tmp.resolve("train.log");
        Path paused = tmp.resolve("paused");
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(ChildProcesses.pauseAt(point, paused));
        Process p = child(log, jvm, args);
        try {
            ChildProcesses.awaitFile(p, paused, log);
            assertThat(ChildProcesses.kill(p)).as(ChildProcesses.tail(log)).isEqualTo(137);
        } finally {
            p.destroyForcibly();
        }
        return p.pid();
    }

    static Process child(Path log, List<String> jvm, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                LmShardsCli.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }


    /** Rewrites every Adam learning rate in the network configuration stored in a checkpoint zip. */
    private static void setLearningRate(Path checkpoint, double lr) throws IOException {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(checkpoint))) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                entries.put(e.getName(), zin.readAllBytes());
            }
        }
        int changed = 0;
        try (ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(checkpoint))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                byte[] b = e.getValue();
                if (e.getKey().endsWith(".json")) {
                    String s = new String(b, StandardCharsets.UTF_8);
                    String t = s.replaceAll("\"learningRate\"\\s*:\\s*[-0-9.eE]+", "\"learningRate\" : " + lr);
                    if (!t.equals(s)) {
                        changed++;
                        b = t.getBytes(StandardCharsets.UTF_8);
                    }
                }
                zout.putNextEntry(new ZipEntry(e.getKey()));
                zout.write(b);
                zout.closeEntry();
            }
        }
        assertThat(changed).as("a learning rate was found in %s", entries.keySet()).isPositive();
    }

    private static long lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.endsWith("}")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> losses(Path run) throws IOException {
        List<String> l = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            var n = JSON.readTree(line);
            l.add(n.get("epoch") + " " + n.get("train_loss") + " " + n.get("valid_loss"));
        }
        return l;
    }

    private static synchronized Path bigData() throws IOException {
        if (bigData == null) {
            bigData = shared.resolve("big");
            TinyRuns.writeDataset(bigData, 400_000, 2000, 20_000);
        }
        return bigData;
    }

}
