package org.lmshards.tools.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lmshards.core.testing.JarRun;
import org.lmshards.core.testing.S3ProxyServer;
import org.lmshards.core.testing.TestData;
import org.lmshards.tools.pipeline.DataPlatformPipeline.Kill;
import org.lmshards.tools.pipeline.DataPlatformPipeline.Step;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 24 item 4: the README's scheduled pipeline (preprocess to {@code s3a://}, {@code verify},
 * {@code train --resume auto}, {@code evaluate}) against S3Proxy, run once uninterrupted, and once
 * SIGKILLed at a random point of a random step and then rerun, as a scheduler reruns a failed
 * workflow: the rerun exits 0 at every step and ends with the uninterrupted run's model, byte for
 * byte, and its losses.
 *
 * <p>The kill point comes from a seeded RNG: the build uses {@link #DEFAULT_SEED};
 * {@code -Dlmshards.pipeline.seed=N} draws another (the seed is in the test's name). The step is reached by a fact, never a clock: the child pauses at a
 * {@code PausePoint} (one of the job's commit points, the cache's {@code fetched-FILE} between two
 * files of {@code verify}'s copy, the trainer's {@code step-N} or the atomic write of its checkpoint
 * or model) and is SIGKILLed there. {@code evaluate} writes nothing, so a kill there is a plain
 * rerun and is not drawn.
 */
class ScheduledPipelineIT {
    static final String SEED_PROPERTY = "lmshards.pipeline.seed";
    /** The job's commit points in a first build (docs/SPARK.md, fault-injection hooks). */
    static final List<String> JOB_POINTS = List.of("locked", "tokenized", "vocab-written", "train-shards-written",
            "first-shard-committed", "shards-committed", "train-meta-written", "valid-shards-written", "valid-meta-written",
            "before-success", "staged", "published", "cleaned", "done");
    private static final String BUCKET = "s3a://" + S3ProxyServer.BUCKET;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;

    @BeforeAll
    static void anS3EndpointHoldingACorpus() throws Exception {
        s3 = S3ProxyServer.start(tmp.resolve("blobs"));
        // Five WikiText articles to train on (about 12 k tokens: a hundred steps an epoch) and the sixth to validate.
        List<String> articles = records(Files.readString(TestData.wikitextTiny().resolve("test.csv")), 6);
        Path train = Files.writeString(tmp.resolve("train.csv"), String.join("", articles.subList(0, 5)));
        Path valid = Files.writeString(tmp.resolve("valid.csv"), articles.get(5));
        s3.put("corpora/wiki/train/train.csv", train);
        s3.put("corpora/wiki/valid/valid.csv", valid);
    }

    /** The first {@code n} records of a CSV, each with its line end (a quoted field may span lines; {@code ""} is a quote). */
    static List<String> records(String csv, int n) {
        List<String> records = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < csv.length() && records.size() < n; i++) {
            char c = csv.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\n' && !quoted) {
                records.add(csv.substring(start, i + 1));
                start = i + 1;
            }
        }
        assertThat(records).hasSize(n);
        return records;
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    /**
     * The default draw: the kill lands in the atomic write of {@code model.zip}, the case a rerun
     * without {@code --resume auto} fails (checked). A fixed default keeps CI deterministic; other
     * seeds draw the other points.
     */
    static final long DEFAULT_SEED = 3;

    static LongStream seed() {
        String given = System.getProperty(SEED_PROPERTY);
        return LongStream.of(given != null ? Long.parseLong(given) : DEFAULT_SEED);
    }

    @ParameterizedTest(name = "seed {0} (repeat with -D" + SEED_PROPERTY + "={0})")
    @MethodSource("seed")
    void killedAtARandomStepTheRerunEndsWithTheModelOfAnUninterruptedRun(long seed) throws Exception {
        DataPlatformPipeline reference = pipeline("reference");
        Map<Step, JarRun.Result> uninterrupted = reference.run(null);
        assertThat(uninterrupted.keySet()).as(lastOutput(uninterrupted)).containsExactly(Step.values());
        uninterrupted.forEach((step, r) -> assertThat(r.code()).as("%s: %s", step, r.out()).isZero());

        Kill kill = drawKill(new Random(seed), reference, uninterrupted.get(Step.TRAIN).out());
        System.out.println("seed " + seed + ": the pipeline is killed at " + kill);
        DataPlatformPipeline scheduled = pipeline("scheduled");
        Map<Step, JarRun.Result> killed = scheduled.run(kill);
        JarRun.Result atKill = killed.get(kill.step());
        assertThat(killed.keySet()).as(lastOutput(killed)).endsWith(kill.step());
        assertThat(atKill.code()).as(atKill.out()).isEqualTo(137);
        assertThat(atKill.out()).contains("paused at " + kill.point());

        Map<Step, JarRun.Result> rerun = scheduled.run(null);
        assertThat(rerun.keySet()).as("killed at %s: %s", kill, lastOutput(rerun)).containsExactly(Step.values());
        rerun.forEach((step, r) -> assertThat(r.code()).as("killed at %s; %s: %s", kill, step, r.out()).isZero());
        assertThat(modelEntries(scheduled.runDir)).as("model.zip after a kill at %s", kill)
                .isEqualTo(modelEntries(reference.runDir));
        assertThat(losses(scheduled.runDir)).as("metrics after a kill at %s", kill).isEqualTo(losses(reference.runDir));
        assertThat(evaluation(rerun)).as("evaluate after a kill at %s", kill).isEqualTo(evaluation(uninterrupted));
    }

    private static DataPlatformPipeline pipeline(String name) throws IOException {
        return new DataPlatformPipeline(s3.s3aSettings(), BUCKET + "/corpora/wiki", BUCKET + "/datasets/" + name,
                Files.createDirectories(tmp.resolve(name)));
    }

    /**
     * A step other than evaluate, then a point in it: one of the job's commit points, the end of
     * one file of the cache's copy, or in training a step, the write of a checkpoint, or the model.
     */
    static Kill drawKill(Random rnd, DataPlatformPipeline reference, String trainOutput) throws IOException {
        Step step = List.of(Step.PREPROCESS, Step.VERIFY, Step.TRAIN).get(rnd.nextInt(3));
        return switch (step) {
            case PREPROCESS -> new Kill(step, JOB_POINTS.get(rnd.nextInt(JOB_POINTS.size())));
            case VERIFY -> {
                List<String> files = reference.cachedFiles();
                yield new Kill(step, "fetched-" + files.get(rnd.nextInt(files.size())));
            }
            default -> {
                Matcher m = Pattern.compile("(\\d+) batches of \\d+ x \\d+ per epoch").matcher(trainOutput);
                assertThat(m.find()).as(trainOutput).isTrue();
                long steps = Long.parseLong(m.group(1)) * DataPlatformPipeline.EPOCHS;
                yield new Kill(step, switch (rnd.nextInt(3)) {
                    case 0 -> "step-" + (1 + rnd.nextLong(steps));
                    case 1 -> "writing-checkpoint.zip#" + (1 + rnd.nextInt(DataPlatformPipeline.EPOCHS));
                    default -> "writing-model.zip";
                });
            }
        };
    }

    private static String lastOutput(Map<Step, JarRun.Result> results) {
        return results.isEmpty() ? "(nothing ran)" : results.values().stream().reduce((a, b) -> b).orElseThrow().out();
    }

    /** Every entry of model.zip (parameters, updater state, configuration) by its SHA-256: zip times differ, contents must not. */
    private static Map<String, String> modelEntries(Path runDir) throws IOException, NoSuchAlgorithmException {
        Map<String, String> entries = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(runDir.resolve("model.zip")))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                entries.put(e.getName(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip.readAllBytes())));
            }
        }
        assertThat(entries).isNotEmpty();
        return entries;
    }

    /** Each epoch's losses and perplexity from metrics.jsonl (not its times). */
    private static List<Map<String, String>> losses(Path runDir) throws IOException {
        List<Map<String, String>> epochs = new ArrayList<>();
        try (Stream<String> lines = Files.lines(runDir.resolve("metrics.jsonl"))) {
            for (String line : (Iterable<String>) lines::iterator) {
                Map<String, String> m = new TreeMap<>();
                JsonNode n = JSON.readTree(line);
                n.fieldNames().forEachRemaining(k -> {
                    if (k.contains("loss") || k.contains("perplexity") || k.equals("epoch")) {
                        m.put(k, n.get(k).asText());
                    }
                });
                epochs.add(m);
            }
        }
        assertThat(epochs).hasSize(DataPlatformPipeline.EPOCHS);
        return epochs;
    }

    /** evaluate's result line. */
    private static String evaluation(Map<Step, JarRun.Result> results) {
        return results.get(Step.EVALUATE).out().lines().filter(l -> l.startsWith("valid: loss")).findFirst()
                .orElseThrow(() -> new AssertionError(results.get(Step.EVALUATE).out()));
    }
}
