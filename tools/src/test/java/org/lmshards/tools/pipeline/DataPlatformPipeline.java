package org.lmshards.tools.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.core.testing.JarRun;
import org.lmshards.spark.reliability.JobRuns;

/**
 * The README's "On a data platform" sequence, command for command, against an S3 endpoint:
 * preprocess from and to {@code s3a:}, then {@code trainer.jar verify}, {@code train --resume
 * auto} and {@code evaluate}, each reading the dataset through its cache. The job runs as
 * {@code submit.sh} runs it in local mode ({@code java -cp lmshards-spark.jar:<Spark's class
 * path> PreprocessJob}), with {@code hadoop-aws} and the AWS SDK added, which {@code spark-submit
 * --packages} adds on a cluster. Like a scheduler, {@link #run} always runs the same commands on
 * the same dataset URI, run directory and cache, stopping at the first that fails.
 */
final class DataPlatformPipeline {
    /** The commands, in order. */
    enum Step { PREPROCESS, VERIFY, TRAIN, EVALUATE }

    /** A step, and the pause point ({@code core.PausePoint}) inside it where the step is SIGKILLed. */
    record Kill(Step step, String point) {
        @Override
        public String toString() {
            return step + " at " + point;
        }
    }

    static final int EPOCHS = 2;
    /** A tiny model with one replica, so that a few hundred steps take seconds and the run is reproducible. */
    private static final List<String> MODEL = List.of("--emb", "8", "--hidden", "12", "--layers", "2", "--bs", "8",
            "--seq-len", "16", "--lr", "1e-2", "--seed", "7", "--replicas", "1", "--no-progress");

    private final Map<String, String> s3a;
    private final String corpus;
    final String dataset;
    final Path runDir;
    final Path cacheDir;
    private final Path logs;
    private int attempt;

    /**
     * @param s3a     the {@code fs.s3a.*} settings of the endpoint
     * @param corpus  a prefix holding {@code train/} and {@code valid/} CSVs
     * @param dataset the dataset URI the job writes and the trainer reads
     * @param work    a local directory for the run, the cache and the commands' logs
     */
    DataPlatformPipeline(Map<String, String> s3a, String corpus, String dataset, Path work) throws IOException {
        this.s3a = s3a;
        this.corpus = corpus;
        this.dataset = dataset;
        this.runDir = work.resolve("run");
        this.cacheDir = work.resolve("cache");
        this.logs = Files.createDirectories(work.resolve("logs"));
    }

    /**
     * Runs the commands in order until one fails; with {@code kill}, SIGKILLs its step once the step
     * has paused at the kill point. Returns each command's result, the last one being the one that
     * failed or was killed (exit 137).
     */
    Map<Step, JarRun.Result> run(Kill kill) throws IOException, InterruptedException {
        attempt++;
        Map<Step, JarRun.Result> results = new LinkedHashMap<>();
        for (Step step : Step.values()) {
            Path log = logs.resolve(attempt + "-" + step.name().toLowerCase() + ".log");
            Path paused = logs.resolve(attempt + "-paused");
            List<String> jvm = kill != null && kill.step() == step ? ChildProcesses.pauseAt(kill.point(), paused) : List.of();
            long t0 = System.nanoTime();
            Process p = start(step, jvm, log);
            if (!jvm.isEmpty()) {
                ChildProcesses.awaitFile(p, paused, log);
                ChildProcesses.kill(p);
            } else if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(step + " did not finish\n" + ChildProcesses.tail(log));
            }
            JarRun.Result r = new JarRun.Result(p.exitValue(), Files.readString(log));
            System.out.printf(java.util.Locale.ROOT, "%s, run %d: %s exit %d after %.1f s%n", dataset, attempt, step, r.code(),
                    (System.nanoTime() - t0) / 1e9);
            results.put(step, r);
            if (r.code() != 0) {
                break;
            }
        }
        return results;
    }

    private Process start(Step step, List<String> pause, Path log) throws IOException {
        Path trainerJar = Path.of(System.getProperty("lmshards.trainer.jar"));
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m"));
        jvm.addAll(pause);
        return switch (step) {
            case PREPROCESS -> {
                List<String> props = new ArrayList<>(pause);
                s3a.forEach((k, v) -> props.add("-Dspark.hadoop." + k + "=" + v));
                yield JobRuns.child(log, jobClasspath(), List.of(System.getProperty("lmshards.spark.jvm.flags").split(" ")), props,
                        "--train", corpus + "/train/", "--valid", corpus + "/valid/", "--output", dataset, "--shard-tokens", "8000");
            }
            case VERIFY -> JarRun.start(trainerJar, jvm, trainer("verify", "--data", dataset), log);
            case TRAIN -> {
                List<String> a = trainer("train", "--resume", "auto", "--data", dataset, "--out", runDir.toString(), "--epochs",
                        Integer.toString(EPOCHS));
                a.addAll(MODEL);
                yield JarRun.start(trainerJar, jvm, a, log);
            }
            case EVALUATE -> JarRun.start(trainerJar, jvm, trainer("evaluate", "--model", runDir.toString(), "--data", dataset), log);
        };
    }

    /** A trainer.jar command line with the cache and the endpoint's settings ({@code --conf KEY=VALUE}). */
    private List<String> trainer(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--cache-dir", cacheDir.toString()));
        s3a.forEach((k, v) -> a.addAll(List.of("--conf", k + "=" + v)));
        return a;
    }

    /** The application jar, Spark's class path (what submit.sh's local mode runs), then this test's: hadoop-aws and the SDK. */
    private static String jobClasspath() throws IOException {
        return System.getProperty("lmshards.spark.jar") + ":"
                + Files.readString(Path.of(System.getProperty("lmshards.spark.classpath"))).trim() + ":"
                + System.getProperty("java.class.path");
    }

    /** The files of the dataset's generation in the order the cache fetched them (its manifest's). */
    List<String> cachedFiles() throws IOException {
        try (Stream<Path> s = Files.walk(cacheDir, 2)) {
            Path manifest = s.filter(f -> DatasetManifest.generationOfManifest(f.getFileName().toString()).isPresent())
                    .findFirst().orElseThrow(() -> new AssertionError("no manifest in " + cacheDir));
            try (InputStream in = Files.newInputStream(manifest)) {
                return DatasetManifest.read(in, manifest.toString()).files().stream().map(DatasetManifest.Entry::path).toList();
            }
        }
    }
}
