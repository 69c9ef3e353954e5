package org.lmshards.spark.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.spark.io.CrcFreeFileSystem;
import org.lmshards.spark.io.StagingFence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 18, item 9: a task attempt that is not yet stopped when the driver cleans up after a
 * failure must not leave a file in the staging directory. The driver closes the fence, then
 * deletes; a late attempt that creates a file in between deletes it itself.
 */
class StagingFenceTest {
    @TempDir
    Path tmp;

    private static org.apache.hadoop.fs.Path hpath(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }

    @Test
    void aLateAttemptCreatingAFileAfterTheFenceClosedLeavesNothing() throws IOException {
        Path dir = tmp.resolve("_temporary-train");
        FileSystem fs = CrcFreeFileSystem.of(hpath(dir), new Configuration());
        StagingFence.open(fs, hpath(dir));
        try (OutputStream early = StagingFence.create(fs, hpath(dir.resolve("train-tokens-00000.npy.early")))) {
            early.write(1);
        }
        StagingFence.close(fs, hpath(dir));
        // The driver has not deleted the directory yet (or a deletion pass failed): the late attempt comes now.
        assertThatThrownBy(() -> StagingFence.create(fs, hpath(dir.resolve("train-tokens-00001.npy.late"))))
                .isInstanceOf(IOException.class).hasMessageContaining("was closed by the driver");
        assertThat(dir.resolve("train-tokens-00001.npy.late")).doesNotExist();
        assertThat(fs.delete(hpath(dir), true)).isTrue();
        // After the deletion nothing recreates the directory either.
        assertThatThrownBy(() -> StagingFence.create(fs, hpath(dir.resolve("train-docs-00001.npy.later"))))
                .isInstanceOf(IOException.class);
        assertThat(dir).doesNotExist();
    }

    /**
     * A writer creating files as fast as it can while the driver closes the fence and deletes.
     * The fence closes only once the writer has created its first file (a latch, not a sleep:
     * issue 25 found that {@code sleep(2)} could let the fence close before the writer started,
     * so that the round tested nothing), and the writer must end by being fenced off.
     */
    @Test
    void racingLateAttemptsNeverOutliveTheCleanup() throws Exception {
        for (int round = 0; round < 30; round++) {
            Path dir = tmp.resolve("race-" + round);
            FileSystem fs = CrcFreeFileSystem.of(hpath(dir), new Configuration());
            StagingFence.open(fs, hpath(dir));
            CountDownLatch writing = new CountDownLatch(1);
            AtomicReference<IOException> fencedBy = new AtomicReference<>();
            Thread late = new Thread(() -> {
                for (int i = 0; i < 1_000_000; i++) {   // bounded: an unfenced create would go on forever
                    try (OutputStream o = StagingFence.create(fs, hpath(dir.resolve("f" + i)))) {
                        o.write(i);
                    } catch (IOException e) {
                        fencedBy.set(e);    // fenced, or the directory is gone
                        return;
                    } finally {
                        writing.countDown();
                    }
                }
            });
            late.start();
            writing.await();
            StagingFence.close(fs, hpath(dir));
            for (int pass = 0; pass < 50 && Files.exists(dir); pass++) {
                fs.delete(hpath(dir), true);
            }
            late.join();
            assertThat(fencedBy.get()).as("round %d: the writer was stopped by the fence", round).isNotNull();
            assertThat(dir).as("round " + round).doesNotExist();
        }
    }
}
