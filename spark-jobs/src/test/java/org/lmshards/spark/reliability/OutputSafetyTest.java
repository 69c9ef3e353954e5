package org.lmshards.spark.reliability;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.testing.TestData;
import org.lmshards.spark.JobExitCodes;
import org.lmshards.spark.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, item 1: {@code --output} replaces only an empty directory or a complete dataset this
 * job wrote; anything else (a directory holding the inputs, a training run, a dataset with a
 * file someone added) is refused with exit 2 and left byte for byte as it was.
 */
class OutputSafetyTest {
    private static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findData() {
        data = TestData.wikitextTiny();
    }

    /** A local path as the job names it: Hadoop's qualified form. */
    private static String uri(Path p) {
        return "file:" + p.toAbsolutePath();
    }

    private static SparkTestSupport.Run job(String... args) {
        return SparkTestSupport.run(args);
    }

    private static void assertRefused(SparkTestSupport.Run r, Path output, Map<String, String> before, String why) throws IOException {
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("error: --output " + uri(output))
                .contains("refusing to touch it").contains(why);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(SparkTestSupport.tree(output)).isEqualTo(before);
        assertThat(SparkTestSupport.leftovers(output)).isEmpty();
    }

    @Test
    void anOutputHoldingTheInputDirectoriesIsRefusedAndTheCsvsStay() throws IOException {
        Path c = tmp.resolve("c");
        Files.createDirectories(c.resolve("train"));
        Files.createDirectories(c.resolve("valid"));
        Files.copy(data.resolve("test.csv"), c.resolve("train/a.csv"));
        Files.copy(data.resolve("test.csv"), c.resolve("valid/b.csv"));
        Map<String, String> before = SparkTestSupport.contents(c);
        SparkTestSupport.Run r = job("--train", c.resolve("train").toString(), "--valid", c.resolve("valid").toString(),
                "--output", c.toString());
        assertRefused(r, c, before, "contains the input file " + uri(c.resolve("train/a.csv")));
    }

    @Test
    void anOutputEqualToTheInputFileOrItsDirectoryIsRefused() throws IOException {
        Path dir = tmp.resolve("in");
        Files.createDirectories(dir);
        Path csv = Files.copy(data.resolve("test.csv"), dir.resolve("t.csv"));
        Map<String, String> before = SparkTestSupport.contents(dir);
        SparkTestSupport.Run same = job("--train", csv.toString(), "--output", csv.toString());
        assertThat(same.code()).isEqualTo(ExitCode.USAGE);
        assertThat(same.err()).contains("is the input file " + uri(csv));
        assertRefused(job("--train", dir.toString(), "--output", dir.toString()), dir, before, "contains the input file");
        assertThat(SparkTestSupport.contents(dir)).isEqualTo(before);
    }

    @Test
    void aTrainingRunDirectoryIsRefusedEvenWithAVocabularyAndATrainEntry() throws IOException {
        Path run = tmp.resolve("runs/tiny");
        Files.createDirectories(run.resolve("train"));
        Files.writeString(run.resolve("model.zip"), "weights");
        Files.writeString(run.resolve("checkpoint.zip"), "state");
        Files.writeString(run.resolve("vocab.json"), "{}");
        Files.writeString(run.resolve("_SUCCESS"), "");
        Files.writeString(run.resolve("train/metrics.jsonl"), "{}\n");
        Map<String, String> before = SparkTestSupport.contents(run);
        SparkTestSupport.Run r = job("--train", data.resolve("test.csv").toString(), "--output", run.toString());
        assertRefused(r, run, before, "which this job does not write");
    }

    @Test
    void aDatasetWithAFileSomeoneAddedOrWithoutSuccessOrMetaIsRefused() throws IOException {
        Path out = tmp.resolve("ds");
        String train = data.resolve("test.csv").toString();
        assertThat(job("--train", train, "--output", out.toString()).code()).isZero();

        Files.writeString(out.resolve("NOTES.txt"), "my notes");
        Map<String, String> before = SparkTestSupport.tree(out);
        assertRefused(job("--train", train, "--output", out.toString(), "--force"), out, before, "holds NOTES.txt");
        Files.delete(out.resolve("NOTES.txt"));

        Path gen = SparkTestSupport.root(out);
        Files.writeString(gen.resolve("train/notes.txt"), "inside a split");
        before = SparkTestSupport.tree(out);
        assertRefused(job("--train", train, "--output", out.toString(), "--force"), out, before,
                "holds gen-0000000001/train/notes.txt");
        Files.delete(gen.resolve("train/notes.txt"));

        Path manifest = out.resolve("manifest-0000000001.json");
        String good = Files.readString(manifest);
        Files.writeString(manifest, "{\"model\": \"not ours\"}");
        before = SparkTestSupport.tree(out);
        assertRefused(job("--train", train, "--output", out.toString(), "--force"), out, before,
                "its current manifest is not an lmshards manifest");
        Files.writeString(manifest, good);

        // The same rules for a dataset in format 1 (no manifest, _SUCCESS at the top).
        Path v1 = tmp.resolve("v1");
        JobRuns.copyTree(gen, v1);
        Files.writeString(v1.resolve("_SUCCESS"), "");
        Files.writeString(v1.resolve("train/meta.json"), "{\"model\": \"not ours\", \"created_at\": \"2026\"}");
        before = SparkTestSupport.tree(v1);
        assertRefused(job("--train", train, "--output", v1.toString(), "--force"), v1, before,
                "train/meta.json is not an lmshards meta.json");

        Files.copy(gen.resolve("train/meta.json"), v1.resolve("train/meta.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(v1.resolve("_SUCCESS"));
        before = SparkTestSupport.tree(v1);
        assertRefused(job("--train", train, "--output", v1.toString(), "--force"), v1, before, "has no _SUCCESS");
    }

    @Test
    void anEmptyDirectoryAndAnOwnDatasetAreReplaced() throws IOException {
        Path out = tmp.resolve("empty");
        Files.createDirectories(out);
        String train = data.resolve("test.csv").toString();
        SparkTestSupport.Run first = job("--train", train, "--output", out.toString());
        assertThat(first.code()).as(first.err()).isZero();
        DatasetVerifier.verify(out);
        SparkTestSupport.Run again = job("--train", train, "--output", out.toString(), "--min-freq", "2");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("min_freq was 3, now 2");
        DatasetVerifier.verify(out);
        assertThat(SparkTestSupport.leftovers(out)).isEmpty();
    }
}
