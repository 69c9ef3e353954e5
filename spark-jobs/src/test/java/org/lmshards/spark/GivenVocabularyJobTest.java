package org.lmshards.spark;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.tokenize.SpecialTokens;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17, preprocessing with an existing vocabulary, on the real WikiText-tiny data: a
 * "pretraining" dataset built from train.csv gives its vocab.json to a "fine-tuning" build of
 * test.csv, which must numericalize that text exactly as the first build numericalized it
 * (its valid split); --vocab-extend, refused options, bad files and the cache check.
 */
class GivenVocabularyJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path data;
    /** train.csv → train, test.csv → valid, vocabulary built. */
    static Path pretrain;
    /** A copy of test.csv: the fine-tuning corpus (a file the first build did not read). */
    static Path corpus;
    /** test.csv's documents as core's single-threaded tokenizer splits them. */
    static List<List<String>> corpusDocs;

    @BeforeAll
    static void buildPretrainingDataset() throws IOException {
        data = TestData.wikitextTiny();
        pretrain = tmp.resolve("pretrain");
        SparkTestSupport.Run r = SparkTestSupport.run("--train", data.resolve("train.csv").toString(), "--valid",
                data.resolve("test.csv").toString(), "--output", pretrain.toString(), "--shard-tokens", "60000");
        assertThat(r.code()).as(r.err()).isZero();
        corpus = tmp.resolve("fine-tune.csv");
        Files.copy(data.resolve("test.csv"), corpus);
        FastaiTokenizer tok = FastaiTokenizer.defaults();
        corpusDocs = new ArrayList<>();
        for (String text : SparkTestSupport.column0(corpus)) {
            corpusDocs.add(tok.tokenize(text));
        }
    }

    private static SparkTestSupport.Run fineTune(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--train", corpus.toString(), "--output", out.toString(), "--shard-tokens", "30000"));
        a.addAll(List.of(extra));
        return SparkTestSupport.run(a.toArray(new String[0]));
    }

    private static JsonNode meta(Path dataset, String split) throws IOException {
        return JSON.readTree(SparkTestSupport.root(dataset).resolve(split).resolve("meta.json").toFile());
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] ids(TokenStore store) {
        int[] all = new int[(int) store.size()];
        store.read(0, all, 0, all.length);
        return all;
    }

    private static long unknownIn(List<List<String>> docs, Vocabulary v) {
        long n = 0;
        for (List<String> d : docs) {
            for (int id : v.encode(d)) {
                n += id == 0 ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void theGivenVocabularyGivesTheSameIdsAsTheBuildItCameFrom() throws IOException {
        Path out = tmp.resolve("same-ids");
        SparkTestSupport.Run r = fineTune(out, "--vocab", SparkTestSupport.root(pretrain).resolve("vocab.json").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("given by file:" + SparkTestSupport.root(pretrain).resolve("vocab.json"))
                .contains("0 new token(s) added");
        DatasetVerifier.verify(out);

        assertThat(Files.readAllBytes(SparkTestSupport.root(out).resolve("vocab.json")))
                .isEqualTo(Files.readAllBytes(SparkTestSupport.root(pretrain).resolve("vocab.json")));
        try (Dataset given = Dataset.open(pretrain); Dataset tuned = Dataset.open(out)) {
            // The same text, test.csv, was the first build's valid split: token for token the same ids.
            assertThat(ids(tuned.split("train"))).isEqualTo(ids(given.split("valid")));
            assertThat(tuned.split("train").numDocs()).isEqualTo(corpusDocs.size());
            assertThat(tuned.split("train").meta().settings()).doesNotContainKeys("min_freq", "max_vocab")
                    .containsEntry("vocab_sha256", sha256(SparkTestSupport.root(pretrain).resolve("vocab.json"))).containsEntry("vocab_extend", 0);

            long unknown = unknownIn(corpusDocs, given.vocab());
            assertThat(unknown).isPositive();
            JsonNode m = meta(out, "train");
            assertThat(m.get("oov_tokens").asLong()).isEqualTo(unknown);
            assertThat(m.get("oov_rate").asDouble()).isEqualTo((double) unknown / tuned.split("train").size());
            assertThat(meta(pretrain, "valid").get("oov_tokens").asLong()).isEqualTo(unknown);
            assertThat(r.out()).contains(String.format(java.util.Locale.ROOT, "(%,d xxunk)", unknown));

            JsonNode src = m.get("vocab_source");
            assertThat(src.get("path").asText()).isEqualTo("file:" + SparkTestSupport.root(pretrain).resolve("vocab.json"));
            assertThat(src.get("sha256").asText()).isEqualTo(sha256(SparkTestSupport.root(pretrain).resolve("vocab.json")));
            assertThat(src.get("size").asInt()).isEqualTo(given.vocab().size());
            assertThat(src.get("added_tokens").asInt()).isZero();
        }
        // A build of its own vocabulary records no source, but its rate all the same.
        assertThat(meta(pretrain, "train").has("vocab_source")).isFalse();
        assertThat(meta(pretrain, "train").get("oov_rate").asDouble()).isPositive().isLessThan(meta(pretrain, "valid").get("oov_rate").asDouble());
    }

    @Test
    void vocabExtendKeepsTheGivenIdsAndAddsFrequentNewTokens() throws IOException {
        Vocabulary given;
        try (Dataset ds = Dataset.open(pretrain)) {
            given = ds.vocab();
        }
        Map<String, Long> counts = new HashMap<>();
        corpusDocs.forEach(d -> d.forEach(t -> counts.merge(t, 1L, Long::sum)));
        long candidates = counts.entrySet().stream()
                .filter(e -> e.getValue() >= Vocabulary.DEFAULT_MIN_FREQ && !given.itos().contains(e.getKey())).count();
        assertThat(candidates).as("frequent test.csv tokens unknown to train.csv's vocabulary").isGreaterThan(10);
        int extend = (int) (candidates / 2);   // fewer than qualify: the most common ones must be chosen

        Path out = tmp.resolve("extended");
        SparkTestSupport.Run r = fineTune(out, "--vocab", SparkTestSupport.root(pretrain).resolve("vocab.json").toString(), "--vocab-extend", "" + extend);
        assertThat(r.code()).as(r.err()).isZero();
        DatasetVerifier.verify(out);
        try (Dataset ds = Dataset.open(out)) {
            Vocabulary v = ds.vocab();
            assertThat(v.itos().subList(0, given.size())).isEqualTo(given.itos());
            List<String> added = v.itos().subList(given.size(), v.size()).stream().filter(t -> !t.equals(SpecialTokens.FAKE)).toList();
            assertThat(added).hasSize(extend);
            long leastAdded = Long.MAX_VALUE;
            for (String t : added) {
                assertThat(given.itos()).doesNotContain(t);
                leastAdded = Math.min(leastAdded, counts.get(t));
            }
            // Every new token left out is at most as frequent as every one taken.
            long mostLeftOut = counts.entrySet().stream().filter(e -> !given.itos().contains(e.getKey()) && !added.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue).max().orElseThrow();
            assertThat(leastAdded).isGreaterThanOrEqualTo(Vocabulary.DEFAULT_MIN_FREQ).isGreaterThanOrEqualTo(mostLeftOut);
            assertThat(v.size() % 8).isZero();

            // Ids: every token of the text is its id in the extended vocabulary, known tokens keep the given ids.
            int[] got = ids(ds.split("train"));
            int at = 0;
            for (List<String> doc : corpusDocs) {
                for (String t : doc) {
                    int want = v.id(t);
                    assertThat(got[at]).as("token %d '%s'", at, t).isEqualTo(want);
                    if (given.id(t) != 0) {
                        assertThat(want).isEqualTo(given.id(t));
                    }
                    at++;
                }
            }
            assertThat(at).isEqualTo(got.length);
            JsonNode m = meta(out, "train");
            assertThat(m.get("oov_tokens").asLong()).isEqualTo(unknownIn(corpusDocs, v)).isLessThan(unknownIn(corpusDocs, given));
            assertThat(m.get("vocab_source").get("added_tokens").asInt()).isEqualTo(extend);
            assertThat(ds.split("train").meta().settings()).containsEntry("vocab_extend", extend)
                    .containsEntry("min_freq", Vocabulary.DEFAULT_MIN_FREQ).doesNotContainKey("max_vocab");
        }
    }

    @Test
    void optionsThatShapeABuiltVocabularyAreRefusedWithIt() {
        String vocab = SparkTestSupport.root(pretrain).resolve("vocab.json").toString();
        Path out = tmp.resolve("refused");
        for (String[] extra : List.of(new String[] {"--vocab", vocab, "--min-freq", "3"}, new String[] {"--max-vocab", "60000", "--vocab", vocab},
                new String[] {"--vocab-extend", "10"}, new String[] {"--vocab", vocab, "--vocab-extend", "-1"})) {
            SparkTestSupport.Run r = fineTune(out, extra);
            assertThat(r.code()).as(String.join(" ", extra)).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).startsWith("error: --");
            assertThat(out).doesNotExist();
        }
        assertThat(fineTune(out, "--vocab", vocab, "--min-freq", "3").err()).contains("--min-freq cannot be combined with --vocab");
        assertThat(fineTune(out, "--max-vocab", "100", "--vocab", vocab).err()).contains("--max-vocab cannot be combined with --vocab");
        assertThat(fineTune(out, "--vocab-extend", "10").err()).contains("--vocab-extend needs --vocab");
        // The given vocabulary inside the output that a rebuild would delete.
        SparkTestSupport.Run inside = SparkTestSupport.run("--train", corpus.toString(), "--output", pretrain.toString(), "--vocab", vocab);
        assertThat(inside.code()).isEqualTo(ExitCode.USAGE);
        assertThat(inside.err()).contains("contains the input file file:" + vocab);
        assertThat(SparkTestSupport.root(pretrain).resolve("vocab.json")).exists();
    }

    @Test
    void badVocabularyFilesAreRefusedNamingTheFile() throws IOException {
        String good = Files.readString(SparkTestSupport.root(pretrain).resolve("vocab.json"));
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("not-json.json", "{\"format\": \"lmshards-vocab\", \"itos\": [\"xxunk\",");
        cases.put("duplicate.json", good.replaceFirst("\"xxmaj\",\\s*\"([^\"]+)\",\\s*\"([^\"]+)\"", "\"xxmaj\", \"$1\", \"$1\""));
        cases.put("no-specials.json", good.replaceFirst("\"xxunk\",\\s*\"xxpad\"", "\"xxpad\", \"xxunk\""));
        Map<String, String> reasons = Map.of("not-json.json", "malformed vocab.json", "duplicate.json", "duplicate token",
                "no-specials.json", "itos must start with the special tokens");
        Path out = tmp.resolve("bad-vocab");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertThat(c.getValue()).isNotEqualTo(good);
            Path file = tmp.resolve(c.getKey());
            Files.writeString(file, c.getValue());
            SparkTestSupport.Run r = fineTune(out, "--vocab", file.toString());
            assertThat(r.code()).as(c.getKey()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(r.err()).startsWith("error: --vocab file:" + file + ": ").contains(reasons.get(c.getKey()));
            assertThat(out).doesNotExist();
        }
        SparkTestSupport.Run missing = fineTune(out, "--vocab", tmp.resolve("nowhere/vocab.json").toString());
        assertThat(missing.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(missing.err()).contains("error: --vocab " + tmp.resolve("nowhere/vocab.json") + ": no such file");
        assertThat(out).doesNotExist();
    }

    @Test
    void theCacheCheckComparesTheGivenVocabularyAndTheExtension() throws IOException {
        Path vocab = tmp.resolve("cache-vocab.json");
        Files.copy(SparkTestSupport.root(pretrain).resolve("vocab.json"), vocab);
        Path out = tmp.resolve("cache");
        assertThat(fineTune(out, "--vocab", vocab.toString()).code()).isZero();
        assertThat(fineTune(out, "--vocab", vocab.toString()).out()).contains("cache hit");
        // The same vocabulary elsewhere: the content is the fingerprint, not the path.
        Path moved = tmp.resolve("moved-vocab.json");
        Files.copy(vocab, moved);
        assertThat(fineTune(out, "--vocab", moved.toString()).out()).contains("cache hit");

        SparkTestSupport.Run extended = fineTune(out, "--vocab", vocab.toString(), "--vocab-extend", "5");
        assertThat(extended.code()).as(extended.err()).isZero();
        assertThat(extended.out()).contains("train settings changed: vocab_extend was 0, now 5");
        assertThat(fineTune(out, "--vocab", vocab.toString(), "--vocab-extend", "5").out()).contains("cache hit");

        // Another vocabulary (the first build's with a token renamed): its ids differ, so a rebuild.
        String before = sha256(vocab);
        Files.writeString(vocab, Files.readString(vocab).replaceFirst("\"xxmaj\",\\s*\"([^\"]+)\"", "\"xxmaj\", \"$1-renamed\""));
        SparkTestSupport.Run changed = fineTune(out, "--vocab", vocab.toString(), "--vocab-extend", "5");
        assertThat(changed.code()).as(changed.err()).isZero();
        assertThat(changed.out()).contains("train settings changed: vocab_sha256 was \"" + before + "\", now \"" + sha256(vocab) + "\"");

        SparkTestSupport.Run own = fineTune(out);
        assertThat(own.code()).as(own.err()).isZero();
        assertThat(own.out()).contains("building ").contains("train settings changed: max_vocab was null, now 60000").doesNotContain("cache hit");
        assertThat(meta(out, "train").has("vocab_source")).isFalse();
    }
}
