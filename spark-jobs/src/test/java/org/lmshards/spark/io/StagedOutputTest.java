package org.lmshards.spark.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The staged-output transaction on the local filesystem, without Spark: recovery, swap, cleanup. */
class StagedOutputTest {
    @TempDir
    Path tmp;

    private StagedOutput staged(String runId) throws IOException {
        return new StagedOutput(tmp.resolve("ds").toUri().toString(), runId, List.of(), new Configuration());
    }

    private static void dataset(Path dir, String marker) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("vocab.json"), marker);
        Files.writeString(dir.resolve("_SUCCESS"), "");
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCompleteDatasetSetAsideBetweenTheRenamesIsRestoredAndLeftoversGo() throws IOException {
        dataset(tmp.resolve(".ds.old-dead1"), "old");
        Files.createDirectories(tmp.resolve(".ds.staging-dead1/train"));
        Files.createDirectories(tmp.resolve(".ds.staging-dead0"));
        staged("run1").recoverAndClean();
        assertThat(entries()).containsExactly("ds");
        assertThat(tmp.resolve("ds/vocab.json")).hasContent("old");
    }

    @Test
    void aSetAsideDatasetIsDeletedWhenTheOutputExistsOrItIsIncomplete() throws IOException {
        dataset(tmp.resolve("ds"), "current");
        dataset(tmp.resolve(".ds.old-dead1"), "older");
        Files.createDirectories(tmp.resolve(".dsx.old-other"));    // another output's: not ours to touch
        staged("run1").recoverAndClean();
        assertThat(entries()).containsExactly(".dsx.old-other", "ds");
        assertThat(tmp.resolve("ds/vocab.json")).hasContent("current");

        Files.delete(tmp.resolve("ds/_SUCCESS"));
        Files.move(tmp.resolve("ds"), tmp.resolve(".ds.old-dead2"));
        staged("run2").recoverAndClean();
        assertThat(entries()).as("no _SUCCESS: not a dataset to put back").containsExactly(".dsx.old-other");
    }

    @Test
    void swapInReplacesTheOldDatasetAndLeavesNothingBeside() throws IOException {
        dataset(tmp.resolve("ds"), "old");
        StagedOutput out = staged("run1");
        out.createStaging();
        assertThat(out.staging().getName()).isEqualTo(".ds.staging-run1");
        out.writeAtomically(new org.apache.hadoop.fs.Path(out.staging(), "vocab.json"), "new".getBytes(StandardCharsets.UTF_8));
        out.writeAtomically(new org.apache.hadoop.fs.Path(out.staging(), "_SUCCESS"), new byte[0]);
        out.swapIn();
        assertThat(entries()).containsExactly("ds");
        try (Stream<Path> s = Files.list(tmp.resolve("ds"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly("_SUCCESS", "vocab.json");
        }
        assertThat(tmp.resolve("ds/vocab.json")).hasContent("new");
    }

    @Test
    void writeAtomicallyReplacesAnExistingFile() throws IOException {
        StagedOutput out = staged("run1");
        out.createStaging();
        org.apache.hadoop.fs.Path meta = new org.apache.hadoop.fs.Path(out.staging(), "meta.json");
        out.writeAtomically(meta, "1".getBytes(StandardCharsets.UTF_8));
        out.writeAtomically(meta, "2".getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> s = Files.list(tmp.resolve(".ds.staging-run1"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("meta.json");
        }
        assertThat(tmp.resolve(".ds.staging-run1/meta.json")).hasContent("2");
    }

    @Test
    void deleteStagingClosesTheFencesBeforeWaitingAndDeletes() throws IOException {
        dataset(tmp.resolve("ds"), "old");
        StagedOutput out = staged("run1");
        out.createStaging();
        org.apache.hadoop.fs.Path fenced = new org.apache.hadoop.fs.Path(out.staging(), "_temporary-train");
        StagingFence.open(out.fs(), fenced);
        AtomicBoolean closedWhenWaiting = new AtomicBoolean();
        RuntimeException failure = new RuntimeException("the build failed");
        out.deleteStaging(failure, () -> {
            closedWhenWaiting.set(Files.notExists(tmp.resolve(".ds.staging-run1/_temporary-train/" + StagingFence.MARKER)));
            return true;
        });
        assertThat(closedWhenWaiting).isTrue();
        assertThat(failure.getSuppressed()).isEmpty();
        assertThat(entries()).containsExactly("ds");
        assertThat(tmp.resolve("ds/vocab.json")).hasContent("old");
    }

    @Test
    void anOutputHoldingAnInputIsNotReplaceable() throws IOException {
        dataset(tmp.resolve("ds"), "old");
        InputFile in = new InputFile(new org.apache.hadoop.fs.Path(tmp.resolve("ds/vocab.json").toUri()).toString(), 3, 0);
        StagedOutput out = new StagedOutput(tmp.resolve("ds").toUri().toString(), "run1", List.of(in), new Configuration());
        assertThatThrownBy(out::requireReplaceable).hasMessageContaining("it contains the input file");
    }
}
