package org.lmshards.spark.reliability;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.spark.JobExitCodes;
import org.lmshards.spark.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18, item 8 (the Spark job's cases): odd input entries and option values, refused up front or read as named. */
class InputEdgeCaseTest {
    @TempDir
    Path tmp;

    private static String doc(int i) {
        return "\"Document " + i + " says hello to the world .\"\n";
    }

    private Path dirWithOneGoodCsv() throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        Files.writeString(in.resolve("a.csv"), doc(1) + doc(2));
        return in;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFifoNamedCsvIsRefusedNotReadForever() throws Exception {
        Path in = dirWithOneGoodCsv();
        Path fifo = in.resolve("pipe.csv");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        for (String spec : new String[] {in.toString(), fifo.toString(), in + "/*.csv"}) {
            SparkTestSupport.Run r = SparkTestSupport.run("--train", spec, "--output", tmp.resolve("out").toString());
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(r.err()).contains(fifo.toString()).contains("is not a regular file (a FIFO");
        }
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void aDanglingSymlinkNamedCsvIsRefused() throws IOException {
        Path in = dirWithOneGoodCsv();
        Files.createSymbolicLink(in.resolve("gone.csv"), tmp.resolve("deleted-long-ago.csv"));
        SparkTestSupport.Run r = SparkTestSupport.run("--train", in.toString(), "--output", tmp.resolve("out").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).contains("gone.csv is a broken symbolic link; refusing to read it");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void aFileNameWithGlobCharactersIsTakenLiterally() throws IOException {
        Path in = tmp.resolve("g");
        Files.createDirectories(in);
        Path literal = in.resolve("br[1].csv");
        Files.writeString(literal, doc(1));
        Files.writeString(in.resolve("br1.csv"), doc(2) + doc(3) + doc(4));     // what the glob br[1].csv matches
        Path out = tmp.resolve("out");
        SparkTestSupport.Run r = SparkTestSupport.run("--train", literal.toString(), "--output", out.toString(), "--min-freq", "1");
        assertThat(r.code()).as(r.err()).isZero();
        try (Dataset ds = Dataset.open(out); TokenStore t = ds.split("train")) {
            assertThat(t.numDocs()).isEqualTo(1);
            assertThat(t.meta().source().toString()).contains("g/br[1].csv").doesNotContain("br1.csv");
        }
        // A pattern that is not an existing path is still a glob.
        SparkTestSupport.Run glob = SparkTestSupport.run("--train", in + "/br?.csv", "--output", tmp.resolve("out2").toString(),
                "--min-freq", "1");
        assertThat(glob.code()).as(glob.err()).isZero();
        try (Dataset ds = Dataset.open(tmp.resolve("out2")); TokenStore t = ds.split("train")) {
            assertThat(t.numDocs()).isEqualTo(3);
        }
    }

    @Test
    void aMaxVocabBelowTheSpecialTokensIsAUsageErrorBeforeAnyWork() throws IOException {
        Path in = dirWithOneGoodCsv();
        for (String n : new String[] {"1", "8"}) {
            SparkTestSupport.Run r = SparkTestSupport.run("--train", in.toString(), "--output", tmp.resolve("out").toString(),
                    "--max-vocab", n);
            assertThat(r.code()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).contains("--max-vocab " + n + " is too small").contains("at least 9");
            assertThat(r.out()).doesNotContain("building");
        }
        SparkTestSupport.Run nine = SparkTestSupport.run("--train", in.toString(), "--output", tmp.resolve("out").toString(),
                "--max-vocab", "9");
        assertThat(nine.code()).as(nine.err()).isZero();
    }

    @Test
    void trainAndValidSharingAFileIsAUsageError() throws IOException {
        Path in = dirWithOneGoodCsv();
        Path a = in.resolve("a.csv");
        for (String[] tv : new String[][] {{a.toString(), a.toString()}, {in.toString(), a.toUri().toString()}}) {
            SparkTestSupport.Run r = SparkTestSupport.run("--train", tv[0], "--valid", tv[1], "--output", tmp.resolve("out").toString());
            assertThat(r.code()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).contains("both hold file:" + a).contains("must not contain training data");
        }
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
