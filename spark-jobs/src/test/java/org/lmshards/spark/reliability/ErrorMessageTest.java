package org.lmshards.spark.reliability;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.spark.JobExitCodes;
import org.lmshards.spark.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, item 7: a failure inside a Spark task is one line naming the file, where and why,
 * not Spark's "Job aborted due to stage failure" with a hundred lines of stack trace.
 */
class ErrorMessageTest {
    @TempDir
    Path tmp;

    @AfterEach
    void readableAgain() {
        FailingReadFileSystem.setReadableBytes(Long.MAX_VALUE);
    }

    @Test
    void anIoErrorDuringAReadIsOneLineNamingTheFileAndOffset() throws IOException {
        SparkTestSupport.session().sparkContext().hadoopConfiguration().set("fs." + FailingReadFileSystem.SCHEME + ".impl",
                FailingReadFileSystem.class.getName());
        Path csv = tmp.resolve("disk.csv");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            b.append("\"Row ").append(i).append(" of a file on a failing disk .\"\n");
        }
        Files.writeString(csv, b);
        String uri = FailingReadFileSystem.SCHEME + "://" + csv;
        FailingReadFileSystem.setReadableBytes(5000);
        for (String partitions : new String[] {"1", "3"}) {     // read units as they are, and repartitioned
            SparkTestSupport.Run r = SparkTestSupport.run("--train", uri, "--output", tmp.resolve("out").toString(),
                    "--partitions", partitions, "--on-bad-row", "skip");
            assertThat(r.code()).isEqualTo(ExitCode.INTERNAL);     // an environment failure, not bad input
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.err()).startsWith("error: " + FailingReadFileSystem.SCHEME + ":" + csv + ": read failed at byte ")
                    .contains("Input/output error").doesNotContain("Job aborted").doesNotContain("\tat ");
            assertThat(tmp.resolve("out")).doesNotExist();
            assertThat(SparkTestSupport.leftovers(tmp.resolve("out"))).isEmpty();
        }
    }
}
