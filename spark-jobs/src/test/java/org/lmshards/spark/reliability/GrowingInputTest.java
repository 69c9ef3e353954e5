package org.lmshards.spark.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ExitCode;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.core.testing.TestData;
import org.lmshards.spark.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25 item 3: a CSV that grows while the job reads it would give a dataset whose recorded
 * fingerprint (size, modification time) is not what was read. The job re-checks every input
 * once the read ends and fails with exit 3 naming the file; nothing is written. The job pauses
 * after its read task has read the file (a pause point), the test appends a row, then lets it go on.
 */
class GrowingInputTest {
    @TempDir
    Path tmp;

    @Test
    void aCsvThatGrowsWhileTheJobReadsItIsBadInputNamingIt() throws Exception {
        Path csv = tmp.resolve("growing.csv");
        Files.copy(TestData.wikitextTiny().resolve("test.csv"), csv);
        Path out = tmp.resolve("ds");
        Path log = tmp.resolve("job.log");
        Path paused = tmp.resolve("paused");
        Process p = JobRuns.child(log, ChildProcesses.pauseAt("train-read:0", paused), "--train", csv.toString(),
                "--output", out.toString());
        try {
            ChildProcesses.awaitFile(p, paused, log);
            Files.writeString(csv, "\" = Appended = \n A writer was still adding rows .\"\n", StandardOpenOption.APPEND);
            Files.delete(paused);
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = JobRuns.log(log);
        assertThat(p.exitValue()).as(output).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(output).contains("error: file:" + csv + " changed while the job read it");
        assertThat(out).doesNotExist();
        assertThat(SparkTestSupport.leftovers(out)).isEmpty();
    }
}
