package org.lmshards.trainer.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.io.LocalLockStore;
import org.lmshards.trainer.train.rundir.Checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 18 item 7 (trainer): a full disk is an environment failure, exit 1 (not 3, "bad input"),
 * with one line naming the file that could not be written. The disk is really full: the file's
 * temporary name ({@code .NAME.tmp-PID}, written by this JVM) is a symbolic link to
 * {@code /dev/full}, where every write fails with ENOSPC.
 */
class TrainerIoFailureTest {
    private static final Path DEV_FULL = Path.of("/dev/full");

    @TempDir
    static Path shared;
    static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeDataset() throws Exception {
        data = shared.resolve("ds");
        TinyRuns.writeDataset(data);
    }

    /** Makes writes of {@code run/NAME} by this process meet a full disk. */
    private static void fullDiskFor(Path run, String name) throws Exception {
        assumeTrue(Files.isWritable(DEV_FULL), "needs /dev/full (Linux)");
        Files.createDirectories(run);
        Files.createSymbolicLink(run.resolve("." + name + ".tmp-" + ProcessHandle.current().pid()), DEV_FULL);
    }

    private static TinyRuns.Result trainTwoEpochs(Path run) {
        return TinyRuns.cli(RunDirectoryLockTest.trainArgs(data, run, "2"));
    }

    @Test
    void aFullDiskAtVocabJsonIsExitOneNamingTheFile() throws Exception {
        Path run = tmp.resolve("run");
        fullDiskFor(run, "vocab.json");
        TinyRuns.Result r = trainTwoEpochs(run);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: " + run.resolve("vocab.json") + ": cannot write (No space left on device)\n");
        assertThat(run.resolve("model.zip")).doesNotExist();
        assertNothingLeftBehind(run);
    }

    @Test
    void aFullDiskAtTheFirstCheckpointIsExitOneAndWritesNoModel() throws Exception {
        Path run = tmp.resolve("run");
        fullDiskFor(run, "checkpoint.zip");
        TinyRuns.Result r = trainTwoEpochs(run);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + run.resolve("checkpoint.zip") + ": cannot write (")
                .contains("No space left on device");
        assertThat(run.resolve("checkpoint.zip")).doesNotExist();
        assertThat(run.resolve("model.zip")).doesNotExist();
        assertNothingLeftBehind(run);
    }

    @Test
    void aFullDiskAtModelZipIsExitOneAndKeepsTheLastCheckpoint() throws Exception {
        Path run = tmp.resolve("run");
        fullDiskFor(run, "model.zip");
        TinyRuns.Result r = trainTwoEpochs(run);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + run.resolve("model.zip") + ": cannot write (")
                .contains("No space left on device");
        assertThat(run.resolve("model.zip")).doesNotExist();
        assertThat(Checkpoint.read(run.resolve("checkpoint.zip")).state().epoch()).isEqualTo(2);
        assertNothingLeftBehind(run);
    }

    /** No temporary file (the link is removed with it) and no lock are left. */
    private static void assertNothingLeftBehind(Path run) throws Exception {
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp"));
        }
        assertThat(LocalLockStore.lockFile(run)).doesNotExist();
    }
}
