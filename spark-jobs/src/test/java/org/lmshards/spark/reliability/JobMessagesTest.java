package org.lmshards.spark.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ExitCode;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.testing.TestData;
import org.lmshards.spark.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25 items 4 and 5, the Spark job's part: each mistake gets one line naming the thing at
 * fault, with the right exit code, and writes nothing; {@code --partitions} far above what the
 * input can use is capped with a warning and changes nothing in the output.
 */
class JobMessagesTest {
    @TempDir
    static Path shared;
    static Path csv;

    @TempDir
    Path tmp;

    @BeforeAll
    static void input() throws Exception {
        csv = shared.resolve("small.csv");
        Files.copy(TestData.wikitextTiny().resolve("test.csv"), csv);
    }

    private static SparkTestSupport.Run job(Path out, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "--train";
        args[1] = csv.toString();
        args[2] = "--output";
        args[3] = out.toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        return SparkTestSupport.run(args);
    }

    private static void usageError(SparkTestSupport.Run r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).startsWith("error: " + message);
    }

    @Test
    void aNonPositiveNumberNamesItsOptionOnly() {
        Path out = tmp.resolve("ds");
        SparkTestSupport.Run r = job(out, "--partitions", "0");
        usageError(r, "--partitions must be positive, got 0\n");
        assertThat(r.err()).doesNotContain("--min-freq");
        usageError(job(out, "--shard-tokens", "-5"), "--shard-tokens must be positive, got -5\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void aNegativeTextColumnIsAnIndexError() {
        Path out = tmp.resolve("ds");
        usageError(job(out, "--text-column", "-1"), "--text-column -1: a column index is 0 or more");
        assertThat(out).doesNotExist();
    }

    @Test
    void anOutputNameWithAColonIsAUsageErrorNotAUriSyntaxException() {
        for (Path out : new Path[] {tmp.resolve("run:1"), Path.of("rel:out")}) {
            SparkTestSupport.Run r = job(out);
            usageError(r, "--output " + out);
            assertThat(r.err()).contains("':'").doesNotContain("URISyntaxException").hasLineCount(1);
        }
        assertThat(tmp.resolve("run:1")).doesNotExist();
    }

    @Test
    void aDirectoryWhereTheLockFileBelongsIsNamedNotTakenForARunningJob() throws Exception {
        Path out = tmp.resolve("ds");
        Files.createDirectories(tmp.resolve(".ds.lock"));
        SparkTestSupport.Run r = job(out);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.INTERNAL);
        assertThat(r.err()).startsWith("error: ").contains(".ds.lock is a directory where the lock file belongs")
                .doesNotContain("being written by another job").hasLineCount(1);
        assertThat(out).doesNotExist();
    }

    @Test
    void forceOverASymbolicLinkIsRefusedAndTheLinkStays() throws Exception {
        Path real = tmp.resolve("real");
        assertThat(job(real).code()).isZero();
        Map<String, String> before = SparkTestSupport.contents(real);
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        SparkTestSupport.Run r = job(link, "--force");
        usageError(r, "--output ");
        assertThat(r.err()).contains(link.toString()).contains("is a symbolic link (to " + real + ")");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(SparkTestSupport.contents(real)).isEqualTo(before);
    }

    @Test
    void farTooManyPartitionsAreCappedWithAWarningAndTheOutputIsTheSame() throws Exception {
        Path plain = tmp.resolve("plain");
        assertThat(job(plain).code()).isZero();
        Path many = tmp.resolve("many");
        SparkTestSupport.Run r = job(many, "--partitions", "100000");
        assertThat(r.code()).as(r.err()).isZero();
        long size = Files.size(csv);
        long cap = (size + 1023) / 1024; // one per KiB of input
        assertThat(r.err()).contains("warning: --partitions 100000 is more than " + size + " bytes of input can use; using "
                + cap + "\n");
        DatasetVerifier.verify(many);
        assertThat(SparkTestSupport.contents(many)).isEqualTo(SparkTestSupport.contents(plain));
    }
}
