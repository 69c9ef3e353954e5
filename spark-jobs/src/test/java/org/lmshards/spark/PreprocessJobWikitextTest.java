package org.lmshards.spark;

import org.lmshards.spark.support.FaultInjection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetRoot;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.shard.VerifyReport;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;

/** The job on the real WikiText-tiny data: content, determinism, verification, cache, retries. */
class PreprocessJobWikitextTest {
    /** Small shards, so that the data makes several per split and boundaries are exercised. */
    private static final String SHARD_TOKENS = "60000";

    @TempDir
    static Path tmp;
    static Path data;
    static Path base;

    @BeforeAll
    static void buildBase() {
        data = TestData.wikitextTiny();
        base = tmp.resolve("p2");
        SparkTestSupport.Run r = job(base, "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote").contains("vocabulary:");
    }

    @AfterEach
    void clearFaults() {
        System.clearProperty(FaultInjection.FAIL_PROPERTY);
    }

    private static SparkTestSupport.Run job(Path out, String partitions, String... extra) {
        List<String> a = new ArrayList<>(List.of("--train", data.resolve("train.csv").toString(),
                "--valid", data.resolve("test.csv").toString(), "--output", out.toString(),
                "--shard-tokens", SHARD_TOKENS, "--partitions", partitions));
        a.addAll(List.of(extra));
        return SparkTestSupport.run(a.toArray(new String[0]));
    }

    @Test
    void splitsHoldEveryArticleAndVerify() throws IOException {
        VerifyReport report = DatasetVerifier.verify(base);
        assertThat(report.docsPerSplit()).containsEntry("train", 100L).containsEntry("valid", 20L);
        assertThat(report.shards()).isGreaterThan(2);
        try (Dataset ds = Dataset.open(base)) {
            assertThat(ds.splits()).containsExactlyInAnyOrder("train", "valid");
            assertThat(ds.split("train").meta().shards()).hasSizeGreaterThan(1);
            assertThat(ds.split("train").meta().rejectedRows()).isZero();
            assertThat(ds.split("train").meta().source().toString()).contains("train.csv");
            assertThat(ds.split("train").meta().settings()).containsEntry("shard_tokens", 60000);
        }
    }

    @Test
    void tokensAndIdsEqualASingleThreadedRunOfCore() throws IOException {
        FastaiTokenizer tok = FastaiTokenizer.defaults();
        List<List<String>> train = new ArrayList<>();
        for (String text : SparkTestSupport.column0(data.resolve("train.csv"))) {
            train.add(tok.tokenize(text));
        }
        List<List<String>> valid = new ArrayList<>();
        for (String text : SparkTestSupport.column0(data.resolve("test.csv"))) {
            valid.add(tok.tokenize(text));
        }
        assertThat(train).hasSize(100);
        assertThat(valid).hasSize(20);
        Map<String, Long> counts = new HashMap<>();
        train.forEach(doc -> doc.forEach(t -> counts.merge(t, 1L, Long::sum)));
        Vocabulary expected = Vocabulary.build(counts, 3, 60000);

        try (Dataset ds = Dataset.open(base)) {
            assertThat(ds.vocab().itos()).isEqualTo(expected.itos());
            assertSameDocs(ds.split("train"), train, expected);
            assertSameDocs(ds.split("valid"), valid, expected);
        }
    }

    private static void assertSameDocs(TokenStore store, List<List<String>> docs, Vocabulary vocab) {
        assertThat(store.numDocs()).isEqualTo(docs.size());
        long total = docs.stream().mapToLong(List::size).sum();
        assertThat(store.size()).isEqualTo(total);
        for (int d = 0; d < docs.size(); d++) {
            int[] want = vocab.encode(docs.get(d));
            long start = store.docStart(d);
            assertThat(store.docEnd(d) - start).as("length of document %d", d).isEqualTo(want.length);
            int[] got = new int[want.length];
            store.read(start, got, 0, got.length);
            assertThat(got).as("ids of document %d", d).isEqualTo(want);
        }
    }

    @Test
    void outputIsByteIdenticalFor1And7PartitionsAndChunkedReading() {
        Map<String, String> want = SparkTestSupport.contents(base);
        assertThat(want).doesNotContainKey("_SUCCESS").containsKeys("vocab.json", "train/meta.json", "train/tokens-00000.npy",
                "train/docs-00001.npy", "valid/meta.json", "valid/tokens-00000.npy");
        for (String p : List.of("1", "7")) {
            Path out = tmp.resolve("p" + p);
            SparkTestSupport.Run r = job(out, p);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(SparkTestSupport.contents(out)).as("%s partitions", p).isEqualTo(want);
        }
        // train.csv (2.1 MB) cut into about 7 read units at scanned record boundaries.
        Path chunked = tmp.resolve("chunked");
        SparkTestSupport.Run r = job(chunked, "3", "--read-chunk-bytes", "300000");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(SparkTestSupport.contents(chunked)).isEqualTo(want);
    }

    @Test
    void articlesSpreadOverSeveralFilesGiveTheSameShards() throws IOException {
        // train.csv cut into three files: with 5 partitions the rows of the 3 read units are
        // range-repartitioned, so that partitions straddle file boundaries; with 2 each unit is
        // its own partition. Either way the same documents in the same order: the same shards.
        List<String> rows = SparkTestSupport.column0(data.resolve("train.csv"));
        Path dir = Files.createDirectories(tmp.resolve("train-parts"));
        int[] cuts = {0, 37, 38, rows.size()};
        for (int f = 0; f < 3; f++) {
            StringBuilder csv = new StringBuilder();
            for (String text : rows.subList(cuts[f], cuts[f + 1])) {
                csv.append('"').append(text.replace("\"", "\"\"")).append("\"\n");
            }
            Files.writeString(dir.resolve("part-" + f + ".csv"), csv, StandardCharsets.UTF_8);
        }
        Map<String, String> want = withoutMeta(SparkTestSupport.contents(base));
        for (String p : List.of("5", "2")) {
            Path out = tmp.resolve("parts-p" + p);
            SparkTestSupport.Run r = SparkTestSupport.run("--train", dir.toString(), "--valid", data.resolve("test.csv").toString(),
                    "--output", out.toString(), "--shard-tokens", SHARD_TOKENS, "--partitions", p);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(withoutMeta(SparkTestSupport.contents(out))).as("%s partitions", p).isEqualTo(want);
        }
    }

    /** The dataset's files apart from the meta.json files (whose source fingerprint names the input files). */
    private static Map<String, String> withoutMeta(Map<String, String> contents) {
        Map<String, String> m = new HashMap<>(contents);
        m.keySet().removeIf(k -> k.endsWith("meta.json"));
        return m;
    }

    @Test
    void tasksFailingOnTheirFirstAttemptStillYieldOneShardPerIndex() throws IOException {
        Path out = tmp.resolve("retried");
        System.setProperty(FaultInjection.FAIL_PROPERTY, "train-read:0,valid-read:0,train-tokenize:1,train-write:0,train-write:2,valid-write:0");
        int before = FaultInjection.INJECTED.get();
        SparkTestSupport.Run r = job(out, "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(FaultInjection.INJECTED.get() - before).as("injected failures").isEqualTo(6);
        // Same files, same bytes: no leftover attempt files, one shard per index.
        assertThat(SparkTestSupport.contents(out)).isEqualTo(SparkTestSupport.contents(base));
        assertThat(SparkTestSupport.leftovers(out)).isEmpty();
        DatasetVerifier.verify(out);
    }

    @Test
    void secondRunIsACacheHitAndForceRebuilds() throws IOException {
        Path out = tmp.resolve("cached");
        assertThat(job(out, "2").code()).isZero();
        Path manifest = DatasetRoot.currentManifest(out);
        assertThat(manifest.getFileName().toString()).isEqualTo("manifest-0000000001.json");
        Object key = fileKey(manifest);
        long vocabMtime = Files.getLastModifiedTime(SparkTestSupport.root(out).resolve("vocab.json")).toMillis();

        SparkTestSupport.Run hit = job(out, "2");
        assertThat(hit.code()).isZero();
        assertThat(hit.out()).contains("cache hit");
        assertThat(fileKey(DatasetRoot.currentManifest(out))).isEqualTo(key);
        assertThat(Files.getLastModifiedTime(SparkTestSupport.root(out).resolve("vocab.json")).toMillis()).isEqualTo(vocabMtime);

        SparkTestSupport.Run forced = job(out, "2", "--force");
        assertThat(forced.code()).isZero();
        assertThat(forced.out()).doesNotContain("cache hit").contains("wrote");
        assertThat(DatasetRoot.currentManifest(out).getFileName().toString()).isEqualTo("manifest-0000000002.json");
        assertThat(SparkTestSupport.contents(out)).isEqualTo(SparkTestSupport.contents(base));
        assertThat(SparkTestSupport.leftovers(out)).isEmpty();
        // Generation 1 stays for readers that opened it before the commit; the next build deletes it.
        assertThat(entries(out)).containsExactly("gen-0000000001", "gen-0000000002", "manifest-0000000001.json",
                "manifest-0000000002.json");
        assertThat(job(out, "2", "--force").code()).isZero();
        assertThat(entries(out)).containsExactly("gen-0000000002", "gen-0000000003", "manifest-0000000002.json",
                "manifest-0000000003.json");
        DatasetVerifier.verify(out);
    }

    private static List<String> entries(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }
}
