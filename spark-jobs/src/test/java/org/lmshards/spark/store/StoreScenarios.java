package org.lmshards.spark.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.params.provider.Arguments;
import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.testing.TestData;
import org.lmshards.spark.SparkTestSupport;
import org.lmshards.spark.reliability.JobRuns;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenarios every store runs (issue 24): preprocess from the store to the store, byte
 * identity with local mode, cache hit, {@code --force}, {@code --vocab} on the store, and a kill
 * of the job (a child JVM halted at each step of the commit) after which a reader sees the
 * complete old or the complete new dataset, the files beside it are untouched, and the rerun
 * recovers.
 */
final class StoreScenarios {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path base;
    private final List<String> childProps;
    private final java.nio.file.Path tmp;
    /** The dataset built from the store (reference) and one with other settings (what a killed build replaces). */
    private Map<String, String> reference;
    private Map<String, String> previous;

    /**
     * @param fs         the store, configured
     * @param base       a directory on it for this test class
     * @param childProps JVM options a child job needs to reach the store ({@code -Dspark.hadoop.*})
     */
    StoreScenarios(FileSystem fs, Path base, List<String> childProps, java.nio.file.Path tmp) {
        this.fs = fs;
        this.base = base;
        this.childProps = childProps;
        this.tmp = tmp;
    }

    /** Uploads the corpus, builds the reference datasets on the store and one locally. */
    void setUp() throws IOException {
        java.nio.file.Path data = TestData.wikitextTiny();
        try (OutputStream out = fs.create(new Path(base, "in/train.csv"))) {
            Files.copy(data.resolve("test.csv"), out);
        }
        try (OutputStream out = fs.create(new Path(base, "in/valid.csv"))) {
            out.write(String.join("\n",
                    "\" = Valkyria Chronicles = \n The game began development in 2010 , carrying over a large portion of the work.\"",
                    "\" = Tower Building = \n The building was completed in 1924 and demolished in 1979 .\"",
                    "\"The \"\"Nameless\"\" unit fought on ,\n\n and the war ended .\"").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write('\n');
        }
        assertJob(SparkTestSupport.run(args(new Path(base, "ref"), "2")));
        reference = download(new Path(base, "ref"), "ref");
        assertJob(SparkTestSupport.run(args(new Path(base, "prev"), "3")));
        previous = download(new Path(base, "prev"), "prev");
        assertThat(previous).isNotEqualTo(reference);
    }

    String[] args(Path out, String minFreq, String... extra) {
        List<String> a = new ArrayList<>(List.of("--train", new Path(base, "in/train.csv").toString(),
                "--valid", new Path(base, "in/valid.csv").toString(), "--output", out.toString(),
                "--min-freq", minFreq, "--shard-tokens", "8000", "--partitions", "2"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    private static void assertJob(SparkTestSupport.Run r) {
        assertThat(r.code()).as(r.err()).isZero();
    }

    /** The current generation's files (through the manifest, checked), verified; null when there is none. */
    Map<String, String> download(Path dataset, String name) throws IOException {
        java.nio.file.Path local = StoreReader.download(fs, dataset, Files.createTempDirectory(tmp, name));
        if (local == null) {
            return null;
        }
        DatasetVerifier.verify(local);
        return SparkTestSupport.contents(local);
    }

    /** Store to store equals local mode byte for byte (meta.json apart from the input URIs); a cache hit; --force; --vocab. */
    void roundTripCacheHitForceAndGivenVocabulary() throws IOException {
        java.nio.file.Path trainCsv = tmp.resolve("train.csv");
        java.nio.file.Path validCsv = tmp.resolve("valid.csv");
        fs.copyToLocalFile(false, new Path(base, "in/train.csv"), new Path(trainCsv.toUri()), true);
        fs.copyToLocalFile(false, new Path(base, "in/valid.csv"), new Path(validCsv.toUri()), true);
        java.nio.file.Path local = tmp.resolve("local");
        assertJob(SparkTestSupport.run("--train", trainCsv.toString(), "--valid", validCsv.toString(), "--output", local.toString(),
                "--min-freq", "2", "--shard-tokens", "8000", "--partitions", "2"));
        assertThat(withoutSource(reference)).as("store output = local output").isEqualTo(withoutSource(SparkTestSupport.contents(local)));
        assertThat(reference.keySet().stream().filter(k -> k.startsWith("train/tokens-")).count()).isGreaterThan(2);

        Path out = new Path(base, "ref");
        SparkTestSupport.Run hit = SparkTestSupport.run(args(out, "2"));
        assertJob(hit);
        assertThat(hit.out()).contains("cache hit");
        assertThat(currentGeneration(out)).isEqualTo(1);

        SparkTestSupport.Run forced = SparkTestSupport.run(args(out, "2", "--force"));
        assertJob(forced);
        assertThat(forced.out()).doesNotContain("cache hit");
        assertThat(currentGeneration(out)).isEqualTo(2);
        assertThat(names(out)).containsExactly("gen-0000000001", "gen-0000000002", "manifest-0000000001.json",
                "manifest-0000000002.json");
        assertThat(download(out, "forced")).isEqualTo(reference);

        Path vocab = new Path(out, "gen-0000000002/vocab.json");
        Path tuned = new Path(base, "tuned");
        SparkTestSupport.Run given = SparkTestSupport.run("--train", new Path(base, "in/valid.csv").toString(), "--output",
                tuned.toString(), "--vocab", vocab.toString());
        assertJob(given);
        assertThat(given.out()).contains("given by " + fs.makeQualified(vocab));
        assertThat(download(tuned, "tuned").get("vocab.json")).isEqualTo(reference.get("vocab.json"));
    }

    private long currentGeneration(Path out) throws IOException {
        return org.lmshards.spark.io.DatasetOutput.current(fs, out).manifest().generation();
    }

    private List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            names.add(st.getPath().getName());
        }
        names.sort(null);
        return names;
    }

    /**
     * Every point of the commit path where the job can be halted ({@code FaultInjection.haltPoint}
     * in {@code DatasetOutput} and {@code DatasetBuild}, in the order a build reaches them), and
     * whether a reader sees the new dataset after a halt there: only once the manifest is written.
     */
    static Stream<Arguments> commitPoints() {
        return Stream.of(
                Arguments.of("locked", false),
                Arguments.of("tokenized", false),
                Arguments.of("vocab-written", false),
                Arguments.of("train-shards-written", false),
                Arguments.of("first-shard-committed", false),
                Arguments.of("shards-committed", false),
                Arguments.of("train-meta-written", false),
                Arguments.of("valid-shards-written", false),
                Arguments.of("valid-meta-written", false),
                Arguments.of("before-success", false),
                Arguments.of("staged", false),
                Arguments.of("published", true),
                Arguments.of("cleaned", true),
                Arguments.of("done", true));
    }

    /**
     * The job, replacing the previous dataset, halts at {@code point} (as SIGKILL leaves it): a
     * reader then sees the previous or the new dataset whole; files beside the output whose names
     * start with the output's (an object store deletes by key prefix) are untouched; the rerun
     * equals an uninterrupted run and leaves no unpublished generation and no lock.
     */
    void killAt(String point, boolean newVisible) throws Exception {
        Path out = new Path(base, "kill-" + point);
        copyDataset(new Path(base, "prev"), out);
        assertThat(download(out, "copied")).isEqualTo(previous);
        Map<Path, String> userFiles = Map.of(new Path(base, out.getName() + "-notes.txt"), "notes on " + point + "\n",
                new Path(base, out.getName() + "-v0/keep.txt"), "an older copy, kept by hand\n",
                new Path(base, "." + out.getName() + ".lock-notes"), "not a lock\n");
        for (Map.Entry<Path, String> f : userFiles.entrySet()) {
            try (OutputStream o = fs.create(f.getKey())) {
                o.write(f.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        java.nio.file.Path log = tmp.resolve("job-" + point + ".log");
        List<String> props = new ArrayList<>(childProps);
        props.add("-Dlmshards.fault.haltAt=" + point);
        Process p = JobRuns.child(log, props, args(out, "2"));
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("job finished").isTrue();
        assertThat(p.exitValue()).as(JobRuns.log(log)).isEqualTo(137);
        assertThat(JobRuns.log(log)).contains("halting at " + point);

        assertThat(download(out, "killed")).isEqualTo(newVisible ? reference : previous);
        assertUnchanged(userFiles);

        SparkTestSupport.Run rerun = SparkTestSupport.run(args(out, "2"));
        assertJob(rerun);
        assertThat(download(out, "rerun")).isEqualTo(reference);
        for (String name : names(out)) {
            java.util.OptionalLong g = DatasetManifest.generationOfDirectory(name);
            if (g.isPresent() && !fs.exists(new Path(out, DatasetManifest.fileName(g.getAsLong())))) {
                // An object store may still list the prefix of deleted objects (S3Proxy's directory backend does).
                assertThat(filesUnder(new Path(out, name))).as("files of the unpublished %s", name).isEmpty();
            }
        }
        assertThat(fs.exists(new Path(base, ".kill-" + point + ".lock"))).as("lock released").isFalse();
        assertUnchanged(userFiles);
    }

    private void assertUnchanged(Map<Path, String> files) throws IOException {
        for (Map.Entry<Path, String> f : files.entrySet()) {
            assertThat(fs.exists(f.getKey())).as("%s kept", f.getKey()).isTrue();
            try (java.io.InputStream in = fs.open(f.getKey())) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(f.getValue());
            }
        }
    }

    private List<String> filesUnder(Path dir) throws IOException {
        List<String> files = new ArrayList<>();
        try {
            var it = fs.listFiles(dir, true);
            while (it.hasNext()) {
                files.add(it.next().getPath().toString());
            }
        } catch (java.io.FileNotFoundException e) {
            // gone
        }
        return files;
    }

    /** Copies the current generation of a dataset and its manifest, file by file as the manifest lists them. */
    private void copyDataset(Path from, Path to) throws IOException {
        org.lmshards.spark.io.DatasetOutput.Published current = org.lmshards.spark.io.DatasetOutput.current(fs, from);
        Path root = new Path(to, current.manifest().directory());
        for (DatasetManifest.Entry e : current.manifest().files()) {
            assertThat(FileUtil.copy(fs, new Path(current.root(), e.path()), fs, new Path(root, e.path()), false, fs.getConf())).isTrue();
        }
        assertThat(FileUtil.copy(fs, current.manifestFile(), fs, new Path(to, current.manifestFile().getName()), false,
                fs.getConf())).isTrue();
    }

    /** Contents without meta.json's {@code source} (the input URIs and times differ between a store and the local disk). */
    private static Map<String, String> withoutSource(Map<String, String> contents) throws IOException {
        Map<String, String> m = new TreeMap<>(contents);
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (e.getKey().endsWith("meta.json")) {
                ObjectNode meta = (ObjectNode) JSON.readTree(e.getValue());
                meta.remove("source");
                e.setValue(meta.toString());
            }
        }
        return m;
    }

    /** Hadoop settings as JVM options of a child job (Spark copies {@code spark.hadoop.*} into its Hadoop configuration). */
    static List<String> childProps(Map<String, String> hadoop) {
        List<String> props = new ArrayList<>();
        hadoop.forEach((k, v) -> props.add("-Dspark.hadoop." + k + "=" + v));
        return props;
    }

    /** Puts {@code hadoop} into the shared Spark session's configuration and {@code conf}. */
    static void configure(Configuration conf, Map<String, String> hadoop) {
        Configuration spark = SparkTestSupport.session().sparkContext().hadoopConfiguration();
        hadoop.forEach((k, v) -> {
            spark.set(k, v);
            conf.set(k, v);
        });
    }
}
