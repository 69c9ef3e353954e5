package org.lmshards.spark.reliability;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.spark.SparkTestSupport;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.tokenize.FastaiTokenizer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, "Preprocessing": a full disk, two jobs on one output at the same time, and a 20 MB row
 * (the bad-CSV cases the Spark module's own {@code PreprocessJobBadInputTest} does not already
 * prove). In-process runs share the module's local Spark session.
 */
class PreprocessFaultTest {
    @TempDir
    Path tmp;

    @AfterEach
    void unlimitedDisk() {
        FullFileSystem.setFreeBytes(Long.MAX_VALUE);
    }

    private Path corpus(String name, int rows) throws IOException {
        Path p = tmp.resolve(name);
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            sb.append("\" = Article ").append(r).append(" = \n The river number ").append(r % 7)
                    .append(" flows past the old mill , and the miller said \"\"hello\"\" to ").append(r * 13 % 17)
                    .append(" travellers . It was built in 18").append(10 + r % 80).append(" .\"\n");
        }
        Files.writeString(p, sb.toString());
        return p;
    }

    private static String[] args(Path train, String output, String minFreq) {
        return new String[] {"--train", train.toString(), "--output", output, "--min-freq", minFreq,
                "--shard-tokens", "300"};
    }

    @Test
    void diskFullWhileWritingFailsCleanlyAndKeepsTheOldDataset() throws IOException {
        SparkTestSupport.session().sparkContext().hadoopConfiguration().set("fs.fullfs.impl", FullFileSystem.class.getName());
        Path train = corpus("train.csv", 120);
        Path local = tmp.resolve("ds");
        String out = FullFileSystem.SCHEME + "://" + local;
        SparkTestSupport.Run first = SparkTestSupport.run(args(train, out, "2"));
        assertThat(first.code()).as(first.err()).isZero();
        Map<String, String> old = SparkTestSupport.contents(local);
        long datasetBytes = 0;
        for (Path p : Files.walk(local).filter(Files::isRegularFile).toList()) {
            datasetBytes += Files.size(p);
        }
        // The rebuild (--min-freq 1: a larger vocabulary, so more bytes than the old dataset) finds the disk
        // full early (vocab.json), among the shards, and near the end (the old dataset's size minus 40 bytes).
        for (long free : new long[] {100, datasetBytes / 3, datasetBytes - 40}) {
            FullFileSystem.setFreeBytes(free);
            SparkTestSupport.Run r = SparkTestSupport.run(args(train, out, "1"));
            long refused = FullFileSystem.failures();
            FullFileSystem.setFreeBytes(Long.MAX_VALUE);
            assertThat(refused).as("free %d: the disk really filled up", free).isPositive();
            assertThat(r.code()).as("free %d: %s", free, r.err()).isEqualTo(1); // environment failure (docs/SPARK.md)
            assertThat(r.err()).as("free %d", free).contains("error: ").contains("No space left on device");
            // One line naming the file (issue 18.7: about 110 lines of Spark's stack traces, no file).
            assertThat(r.err().strip().lines()).as("free %d: %s", free, r.err()).hasSize(1);
            assertThat(r.err()).as("free %d", free).containsAnyOf(local.getFileName() + "/gen-0000000002/", local.getFileName() + "/.manifest-0000000002.json.tmp")
                    .doesNotContain("Job aborted");
            assertThat(SparkTestSupport.contents(local)).as("free %d: the old dataset is intact", free).isEqualTo(old);
            DatasetVerifier.verify(local);
            // The lock is released and the staging directory deleted: the job waits for the write attempts that
            // Spark is still stopping before it deletes the directory they write into.
            assertThat(SparkTestSupport.leftovers(local)).as("free %d: no lock, staging or temporary directory left", free).isEmpty();
            assertThat(JobRuns.staging(local)).as("free %d: the unpublished generation is deleted", free).isNull();
            try (var s = Files.list(local)) {
                assertThat(s.map(p -> p.getFileName().toString())).as("free %d", free)
                        .containsExactlyInAnyOrder("gen-0000000001", "manifest-0000000001.json");
            }
        }
        // With space again, the rebuild succeeds.
        SparkTestSupport.Run ok = SparkTestSupport.run(args(train, out, "1"));
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(SparkTestSupport.leftovers(local)).isEmpty();
        try (Dataset ds = Dataset.open(local)) {
            assertThat(ds.vocab().minFreq()).isEqualTo(1);
        }
        DatasetVerifier.verify(local);
    }

    @Test
    void aSecondJobStartedWhileTheFirstRunsIsRefusedAndTheFirstCompletesAlone() throws Exception {
        Path train = TestData.wikitextTiny().resolve("test.csv");
        Path out = tmp.resolve("shared-out");
        Path log = tmp.resolve("first.log");
        // The first job pauses once it holds the lock, so that the second surely starts while it runs
        // (issue 25: seeing the lock file and then freezing the job with SIGSTOP was a race).
        Path paused = tmp.resolve("paused");
        Process first = JobRuns.child(log, ChildProcesses.pauseAt("locked", paused), args(train, out.toString(), "2"));
        try {
            Path lock = out.resolveSibling("." + out.getFileName() + ".lock");
            ChildProcesses.awaitFile(first, paused, log);
            assertThat(lock).exists();
            SparkTestSupport.Run second;
            try {
                second = SparkTestSupport.run(args(train, out.toString(), "3"));
            } finally {
                Files.delete(paused); // the first job goes on
            }
            assertThat(second.code()).as(second.err()).isEqualTo(1);
            assertThat(second.err()).contains("being written by another job").contains(lock.getFileName().toString())
                    .contains("pid " + first.pid());
            assertThat(first.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(first.exitValue()).as(JobRuns.log(log)).isZero();
        } finally {
            first.destroyForcibly();
        }
        DatasetVerifier.verify(out);
        try (Dataset ds = Dataset.open(out)) {
            assertThat(ds.vocab().minFreq()).as("the first job's settings, not the refused one's").isEqualTo(2);
        }
        assertThat(SparkTestSupport.leftovers(out)).isEmpty();
    }

    @Test
    void aTwentyMegabyteRowIsOneDocument() throws IOException {
        Path p = tmp.resolve("big.csv");
        StringBuilder big = new StringBuilder(21 << 20);
        String[] words = {"alpha", "beta", "gamma", "delta", "the", "river", "mill", "stone", "light", "house"};
        int i = 0;
        while (big.length() < 20 << 20) {
            big.append(words[i % words.length]).append(i % 11 == 10 ? " ,\n" : " ");
            i++;
        }
        String text = big.toString();
        try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            w.write("first small article .\n\"");
            w.write(text);
            w.write("\"\nlast small article .\n");
        }
        assertThat(Files.size(p)).isGreaterThan(20L << 20);
        Path out = tmp.resolve("big-out");
        SparkTestSupport.Run r = SparkTestSupport.run("--train", p.toString(), "--output", out.toString(), "--min-freq", "1",
                "--shard-tokens", "1000000");
        assertThat(r.code()).as(r.err()).isZero();
        DatasetVerifier.verify(out);
        List<String> expected = new ArrayList<>(FastaiTokenizer.defaults().tokenize(text));
        try (Dataset ds = Dataset.open(out); TokenStore t = ds.split("train")) {
            assertThat(t.numDocs()).isEqualTo(3);
            long start = t.docStart(1);
            int len = (int) (t.docEnd(1) - start);
            assertThat(len).isEqualTo(expected.size());
            int[] ids = new int[len];
            t.read(start, ids, 0, len);
            assertThat(ds.vocab().decode(ids, 0, len)).isEqualTo(expected);
        }
    }
}
