package org.lmshards.spark.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lmshards.spark.SparkTestSupport;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.ShardFormatException;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.core.testing.TestData;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 6, "Preprocessing": the job process dies (SIGKILL) while it writes shards and metadata.
 * Afterwards the output holds the previous complete dataset, or (only between the two renames of
 * the swap) no dataset, or the new complete one; never a partial one; a reader refuses the
 * staging directory left behind; and a rerun produces a dataset byte-identical (except
 * {@code created_at}) to an uninterrupted run.
 *
 * <p>The job runs as a child JVM. Kill points: the job's own commit points, where the test-only
 * hook {@code -Dlmshards.fault.haltAt} makes the JVM {@code Runtime.halt} (no shutdown hooks, no
 * finally blocks: what SIGKILL leaves), ten of the job's fourteen points (the others fall between
 * the same two file-system states as a neighbour), and two real {@code Process.destroyForcibly()}
 * kills (SIGKILL) of a job paused at a point ({@code -Dlmshards.fault.pauseAt}): while a task
 * attempt's shard files exist, and during a first build.
 */
class PreprocessKillTest {
    @TempDir
    static Path shared;
    static Path train;
    static Path valid;
    /** The dataset an uninterrupted run writes (the reference for every rerun). */
    static Path reference;
    static Map<String, String> referenceContents;
    /** A different complete dataset (other --min-freq) that the killed job was replacing. */
    static Path previous;
    static Map<String, String> previousContents;

    @TempDir
    Path tmp;

    static String[] args(Path out, String minFreq) {
        return new String[] {"--train", train.toString(), "--valid", valid.toString(), "--output", out.toString(),
                "--min-freq", minFreq, "--shard-tokens", "2000", "--partitions", "2"};
    }

    @BeforeAll
    static void buildReferenceAndPrevious() throws IOException {
        train = TestData.wikitextTiny().resolve("test.csv"); // 20 real WikiText articles: about 30 train shards
        valid = shared.resolve("valid.csv");
        Files.writeString(valid, String.join("\n",
                "\" = Valkyria Chronicles = \n The game began development in 2010 , carrying over a large portion of the work.\"",
                "\" = Tower Building = \n The building was completed in 1924 and demolished in 1979 .\"",
                // Quoted: unquoted, its comma made two fields, and only the first was read (issue 18.6).
                "\"It met with positive sales in Japan , and was praised by both Japanese and western critics .\"",
                "\"The \"\"Nameless\"\" unit fought on ,\n\n and the war ended .\"") + "\n");
        reference = shared.resolve("reference");
        SparkTestSupport.Run r = SparkTestSupport.run(args(reference, "2"));
        assertThat(r.code()).as(r.err()).isZero();
        DatasetVerifier.verify(reference);
        referenceContents = SparkTestSupport.contents(reference);
        assertThat(referenceContents.keySet().stream().filter(k -> k.startsWith("train/tokens-")).count())
                .as("enough shards that kills land between shard commits").isGreaterThanOrEqualTo(10);
        previous = shared.resolve("previous");
        SparkTestSupport.Run p = SparkTestSupport.run(args(previous, "3"));
        assertThat(p.code()).as(p.err()).isZero();
        previousContents = SparkTestSupport.contents(previous);
        assertThat(previousContents).isNotEqualTo(referenceContents);
    }

    /** What the output directory must hold after a kill at a point. */
    enum Expect { PREVIOUS, NONE, NEW }

    @ParameterizedTest(name = "halt at {0}: output holds {1}")
    @CsvSource({
            "locked, PREVIOUS",
            "vocab-written, PREVIOUS",
            "first-shard-committed, PREVIOUS",
            "shards-committed, PREVIOUS",
            "train-meta-written, PREVIOUS",
            "valid-meta-written, PREVIOUS",
            "before-success, PREVIOUS",
            "staged, PREVIOUS",
            "old-moved-aside, NONE",
            "swapped, NEW"})
    void haltAtACommitPointLeavesNoPartialDatasetAndARerunEqualsAnUninterruptedRun(String point, Expect expect)
            throws Exception {
        Path out = tmp.resolve("ds");
        JobRuns.copyTree(previous, out);
        Path log = tmp.resolve("job.log");
        Process p = JobRuns.child(log, List.of("-Dlmshards.fault.haltAt=" + point), args(out, "2"));
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("job finished").isTrue();
        assertThat(p.exitValue()).as(JobRuns.log(log)).isEqualTo(137);
        assertThat(JobRuns.log(log)).contains("halting at " + point);

        switch (expect) {
            case PREVIOUS -> assertThat(SparkTestSupport.contents(out)).isEqualTo(previousContents);
            case NONE -> assertThat(out).doesNotExist();
            case NEW -> assertThat(SparkTestSupport.contents(out)).isEqualTo(referenceContents);
        }
        if (Files.exists(out)) {
            DatasetVerifier.verify(out);
        } else {
            assertThatThrownBy(() -> Dataset.open(out)).isInstanceOf(IOException.class).hasMessageContaining(out.toString());
        }
        assertStagingRefusedIfIncomplete(out);
        rerunEqualsTheUninterruptedRun(out);
    }

    @Test
    void sigkillWhileTaskAttemptsWriteShardsKeepsThePreviousDataset() throws Exception {
        Path out = tmp.resolve("ds");
        JobRuns.copyTree(previous, out);
        // The first attempt of train shard 1's write task pauses once its files are written.
        killAt(out, "train-write:1");
        Path staging = JobRuns.staging(out);
        assertThat(staging).isNotNull();
        assertThat(nonEmpty(staging.resolve("_temporary-train"))).as("a task attempt's shard files were there").isTrue();
        assertThat(SparkTestSupport.contents(out)).isEqualTo(previousContents);
        DatasetVerifier.verify(out);
        assertStagingRefusedIfIncomplete(out);
        rerunEqualsTheUninterruptedRun(out);
    }

    @Test
    void sigkillOfAFirstBuildLeavesNoDatasetMarkedComplete() throws Exception {
        Path out = tmp.resolve("fresh");
        killAt(out, "vocab-written");
        assertThat(out).doesNotExist();
        assertThatThrownBy(() -> Dataset.open(out)).isInstanceOf(IOException.class);
        Path staging = JobRuns.staging(out);
        assertThat(staging).as("a staging directory was left behind").isNotNull();
        assertThat(staging.resolve("vocab.json")).exists();
        assertStagingRefusedIfIncomplete(out);
        rerunEqualsTheUninterruptedRun(out);
    }

    /**
     * Starts the job paused at {@code point} ({@link ChildProcesses#pauseAt}) and SIGKILLs it
     * there: a real SIGKILL at an exact point (issue 25: a 2 ms poll of the staging directory
     * could miss its moment).
     */
    private void killAt(Path out, String point) throws Exception {
        Path log = tmp.resolve("job.log");
        Path paused = tmp.resolve("paused");
        Process p = JobRuns.child(log, ChildProcesses.pauseAt(point, paused), args(out, "2"));
        try {
            ChildProcesses.awaitFile(p, paused, log);
            assertThat(ChildProcesses.kill(p)).isEqualTo(137); // 128 + SIGKILL
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean nonEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** A staging directory without _SUCCESS is not a dataset for any reader. */
    private static void assertStagingRefusedIfIncomplete(Path out) throws IOException {
        Path staging = JobRuns.staging(out);
        if (staging == null || Files.exists(staging.resolve("_SUCCESS"))) {
            return;
        }
        Path success = staging.resolve("_SUCCESS");
        assertThatThrownBy(() -> Dataset.open(staging)).isInstanceOfSatisfying(ShardFormatException.class,
                e -> assertThat(e.file()).isEqualTo(success.toString()));
        if (Files.isDirectory(staging.resolve("train"))) {
            assertThatThrownBy(() -> TokenStore.open(staging, "train").close()).isInstanceOf(ShardFormatException.class);
            assertThatThrownBy(() -> DatasetVerifier.verify(staging)).isInstanceOf(ShardFormatException.class);
        }
    }

    private static void rerunEqualsTheUninterruptedRun(Path out) throws IOException {
        SparkTestSupport.Run r = SparkTestSupport.run(args(out, "2"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(SparkTestSupport.contents(out)).isEqualTo(referenceContents);
        assertThat(SparkTestSupport.leftovers(out)).as("lock, staging and set-aside directories cleaned up").isEmpty();
        DatasetVerifier.verify(out);
    }
}
