package org.lmshards.spark.reliability;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.testing.TestData;
import org.lmshards.spark.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, item 5: a cache hit checks that every file of the dataset is present with its size,
 * and rebuilds (saying why) when one is not; the rebuild equals the original dataset.
 */
class CacheHitCheckTest {
    @TempDir
    Path tmp;

    private SparkTestSupport.Run job(Path out, String... extra) throws IOException {
        Path data = TestData.wikitextTiny();
        Path valid = tmp.resolve("valid.csv");
        if (!Files.exists(valid)) {
            Files.copy(data.resolve("test.csv"), valid);   // a copy: the same file in both splits is refused
        }
        List<String> a = new ArrayList<>(List.of("--train", data.resolve("test.csv").toString(), "--valid",
                valid.toString(), "--output", out.toString(), "--shard-tokens", "40000"));
        a.addAll(List.of(extra));
        return SparkTestSupport.run(a.toArray(new String[0]));
    }

    /** Damages the dataset, reruns the same command: it must rebuild naming the problem, and the result must equal the original. */
    private void rebuildsAfter(Path out, Map<String, String> original, String why, String... extra) throws IOException {
        SparkTestSupport.Run r = job(out, extra);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("cache hit").contains("building " + "file:" + out.toAbsolutePath() + ": " + why);
        DatasetVerifier.verify(out);
        assertThat(SparkTestSupport.contents(out)).isEqualTo(original);
        SparkTestSupport.Run again = job(out, extra);
        assertThat(again.out()).contains("cache hit");
    }

    @Test
    void missingOrResizedFilesAreRebuiltNotTakenForACacheHit() throws IOException {
        Path out = tmp.resolve("ds");
        assertThat(job(out).code()).isZero();
        Map<String, String> original = SparkTestSupport.contents(out);
        assertThat(original).containsKeys("train/tokens-00001.npy", "valid/docs-00001.npy");
        assertThat(job(out).out()).contains("cache hit");

        // The case: vocab.json and a shard deleted.
        Files.delete(SparkTestSupport.root(out).resolve("vocab.json"));
        Files.delete(SparkTestSupport.root(out).resolve("train/tokens-00001.npy"));
        rebuildsAfter(out, original, "vocab.json is missing");

        Files.delete(SparkTestSupport.root(out).resolve("valid/docs-00001.npy"));
        rebuildsAfter(out, original, "valid/docs-00001.npy is missing");

        try (RandomAccessFile f = new RandomAccessFile(SparkTestSupport.root(out).resolve("train/tokens-00000.npy").toFile(), "rw")) {
            f.setLength(f.length() - 2);
        }
        rebuildsAfter(out, original, "train/tokens-00000.npy has ");

        Files.write(SparkTestSupport.root(out).resolve("train/docs-00001.npy"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        rebuildsAfter(out, original, "train/docs-00001.npy has ");

        Files.copy(SparkTestSupport.root(out).resolve("train/tokens-00000.npy"), SparkTestSupport.root(out).resolve("train/tokens-00007.npy"));
        rebuildsAfter(out, original, "train/tokens-00007.npy is not listed");

        Files.writeString(SparkTestSupport.root(out).resolve("vocab.json"), Files.readString(SparkTestSupport.root(out).resolve("vocab.json")).replaceFirst("\"xxfake\"\\s*]", "]")
                .replaceFirst("\"size\"\\s*:\\s*(\\d+)", "\"size\" : " + (sizeOf(out) - 1)));
        rebuildsAfter(out, original, "vocab.json ");

        // Issue 25: one letter of a frequent token flipped, same size, still a valid vocabulary: it was a
        // cache hit (then verify and train passed it, and the model generated the misspelt word).
        Path vocab = SparkTestSupport.root(out).resolve("vocab.json");
        byte[] v = Files.readAllBytes(vocab);
        int at = Files.readString(vocab).indexOf("\"the\"") + 1;
        assertThat(at).isPositive();
        v[at] ^= 1; // "the" becomes "uhe"
        Files.write(vocab, v);
        rebuildsAfter(out, original, "vocab.json has CRC32C ");
    }

    @Test
    void aMissingRejectsFileIsRebuiltAndAFlippedByteIsLeftToVerify() throws IOException {
        Path csv = tmp.resolve("r.csv");
        Files.writeString(csv, "\"one two three four\"\n\"bro\"ken\"\n\"five six seven\"\n");
        Path out = tmp.resolve("rj");
        List<String> args = List.of("--train", csv.toString(), "--output", out.toString(), "--on-bad-row", "skip", "--min-freq", "1");
        assertThat(SparkTestSupport.run(args.toArray(new String[0])).code()).isZero();
        Map<String, String> original = SparkTestSupport.contents(out);
        Files.delete(SparkTestSupport.root(out).resolve("rejects/train.csv"));
        SparkTestSupport.Run r = SparkTestSupport.run(args.toArray(new String[0]));
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("rejects/train.csv is missing");
        assertThat(SparkTestSupport.contents(out)).isEqualTo(original);

        // Same size, other bytes: the cheap check does not read shards (verify's checksums do).
        Path shard = SparkTestSupport.root(out).resolve("train/tokens-00000.npy");
        byte[] b = Files.readAllBytes(shard);
        b[b.length - 1] ^= 1;
        Files.write(shard, b);
        assertThat(SparkTestSupport.run(args.toArray(new String[0])).out()).contains("cache hit");
    }

    private static int sizeOf(Path out) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"size\"\\s*:\\s*(\\d+)").matcher(Files.readString(SparkTestSupport.root(out).resolve("vocab.json")));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
