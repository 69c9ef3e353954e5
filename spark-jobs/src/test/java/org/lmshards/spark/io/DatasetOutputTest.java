package org.lmshards.spark.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.core.shard.NpyArrayWriter;
import org.lmshards.core.shard.NpyDtype;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.ShardMeta;
import org.lmshards.core.shard.SplitMeta;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.spark.shard.ShardPlan;
import org.lmshards.spark.shard.ShardResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The output's generations on the local filesystem, without Spark: recovery, manifest, cleanup, abandon. */
class DatasetOutputTest {
    @TempDir
    Path tmp;

    private DatasetOutput claim(String runId) throws IOException {
        return DatasetOutput.claim(tmp.resolve("ds").toUri().toString(), runId, List.of(), new Configuration());
    }

    private static void format1Dataset(Path dir, String marker) throws IOException {
        Files.createDirectories(dir.resolve("train"));
        Files.writeString(dir.resolve("vocab.json"), marker);
        try (var out = Files.newOutputStream(dir.resolve("train/meta.json"))) {
            SplitMeta.ofCurrentFormat("train", "uint16", 16, 0, 0, List.of(), java.util.Map.of(), java.util.Map.of(), java.util.Map.of(),
                    0, "2026-01-01T00:00:00Z", "0").write(out);
        }
        Files.writeString(dir.resolve("_SUCCESS"), "");
    }

    private List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** One build that writes vocab.json with {@code content} and publishes. */
    private void build(String runId, String content) throws IOException {
        try (DatasetOutput out = claim(runId)) {
            out.begin();
            out.writeFile("vocab.json", content.getBytes(StandardCharsets.UTF_8));
            out.publish();
        }
    }

    private DatasetManifest manifest(long generation) throws IOException {
        try (InputStream in = Files.newInputStream(tmp.resolve("ds").resolve(DatasetManifest.fileName(generation)))) {
            return DatasetManifest.read(in, "m");
        }
    }

    @Test
    void eachBuildIsANewGenerationPublishedByItsManifestAndTheOneBeforeTheLastIsDeleted() throws IOException {
        build("run1", "one");
        assertThat(entries(tmp.resolve("ds"))).containsExactly("gen-0000000001", "manifest-0000000001.json");
        CRC32C crc = new CRC32C();
        crc.update("one".getBytes(StandardCharsets.UTF_8));
        assertThat(manifest(1).files()).containsExactly(new DatasetManifest.Entry("vocab.json", 3, crc.getValue()));
        assertThat(tmp.resolve("ds/gen-0000000001/vocab.json")).hasContent("one");

        build("run2", "two");
        assertThat(entries(tmp.resolve("ds"))).as("the replaced generation stays for readers that opened it")
                .containsExactly("gen-0000000001", "gen-0000000002", "manifest-0000000001.json", "manifest-0000000002.json");
        build("run3", "three");
        assertThat(entries(tmp.resolve("ds")))
                .containsExactly("gen-0000000002", "gen-0000000003", "manifest-0000000002.json", "manifest-0000000003.json");
        assertThat(tmp.resolve("ds/gen-0000000003/vocab.json")).hasContent("three");
        assertThat(entries(tmp)).as("nothing beside the output once the lock is released").containsExactly("ds");
    }

    @Test
    void aGenerationNoManifestPublishedIsDeletedByTheNextClaimAndNumbersAreNeverReused() throws IOException {
        build("run1", "one");
        Files.createDirectories(tmp.resolve("ds/gen-0000000002/train"));          // a killed build's
        Files.writeString(tmp.resolve("ds/.manifest-0000000002.json.tmp"), "{");   // killed mid-publish
        try (DatasetOutput out = claim("run2")) {
            assertThat(entries(tmp.resolve("ds"))).containsExactly("gen-0000000001", "manifest-0000000001.json");
            assertThat(out.current().manifest().generation()).isEqualTo(1);
            out.begin();
            assertThat(out.generationDir().getName()).isEqualTo("gen-0000000002");
        }
    }

    @Test
    void aFormat1DatasetIsKeptAsThePreviousGenerationThenDeleted() throws IOException {
        format1Dataset(tmp.resolve("ds"), "v1");
        Files.createDirectories(tmp.resolve(".ds.staging-dead1/train"));   // a format-1 build's leftover
        build("run1", "one");
        assertThat(entries(tmp.resolve("ds")))
                .containsExactly("_SUCCESS", "gen-0000000001", "manifest-0000000001.json", "train", "vocab.json");
        assertThat(entries(tmp)).containsExactly("ds");
        build("run2", "two");
        assertThat(entries(tmp.resolve("ds")))
                .containsExactly("gen-0000000001", "gen-0000000002", "manifest-0000000001.json", "manifest-0000000002.json");
    }

    @Test
    void aFormat1DatasetSetAsideBetweenTheRenamesOfAnOldSwapIsRestored() throws IOException {
        format1Dataset(tmp.resolve(".ds.old-dead1"), "old");
        Files.createDirectories(tmp.resolve(".ds.staging-dead1/train"));
        claim("run1").close();
        assertThat(entries(tmp)).containsExactly("ds");
        assertThat(tmp.resolve("ds/vocab.json")).hasContent("old");
    }

    @Test
    void abandonClosesTheFencesBeforeWaitingAndDeletesOnlyTheNewGeneration() throws IOException {
        build("run1", "one");
        try (DatasetOutput out = claim("run2")) {
            out.begin();
            out.openTaskDir("train");
            AtomicBoolean closedWhenWaiting = new AtomicBoolean();
            RuntimeException failure = new RuntimeException("the build failed");
            out.abandon(failure, () -> {
                closedWhenWaiting.set(Files.notExists(tmp.resolve("ds/gen-0000000002/_temporary-train/" + StagingFence.MARKER)));
                return true;
            });
            assertThat(closedWhenWaiting).isTrue();
            assertThat(failure.getSuppressed()).isEmpty();
        }
        assertThat(entries(tmp.resolve("ds"))).containsExactly("gen-0000000001", "manifest-0000000001.json");
    }

    @Test
    void aFailedFirstBuildLeavesNoOutputAndAFailureAfterTheManifestKeepsTheGeneration() throws IOException {
        try (DatasetOutput out = claim("run1")) {
            out.begin();
            out.writeFile("vocab.json", new byte[] {'{', '}'});
            out.abandon(new RuntimeException("failed"), () -> true);
        }
        assertThat(tmp.resolve("ds")).doesNotExist();
        try (DatasetOutput out = claim("run2")) {
            out.begin();
            out.writeFile("vocab.json", new byte[] {'{', '}'});
            out.publish();
            out.abandon(new RuntimeException("failed after the commit"), () -> true);   // e.g. the summary failed
        }
        assertThat(entries(tmp.resolve("ds"))).containsExactly("gen-0000000001", "manifest-0000000001.json");
        assertThat(tmp.resolve("ds/gen-0000000001/vocab.json")).hasContent("{}");
    }

    @Test
    void commitShardsKeepsExactlyOneAttemptPerShardAndRecordsItsSizeAndChecksum() throws IOException {
        ShardPlan plan = ShardPlan.plan(new int[][] {{5, 5}, {3}}, 8);   // shard 0: docs 0-1, shard 1: doc 2
        try (DatasetOutput out = claim("run1")) {
            out.begin();
            org.apache.hadoop.fs.Path task = out.openTaskDir("train");
            Path dir = Path.of(task.toUri());
            ShardResult a = attempt(dir, 0, "a", 10, 2);
            ShardResult speculative = attempt(dir, 0, "b", 10, 2);
            attempt(dir, 1, "failed", 3, 1);                    // a failed attempt: files written, no result
            ShardResult b = attempt(dir, 1, "ok", 3, 1);
            List<ShardMeta> metas = out.commitShards("train", task, plan, TokenDtype.UINT16, List.of(b, a, speculative));
            assertThat(metas).extracting(ShardMeta::index).containsExactly(0, 1);
            assertThat(metas.get(1)).isEqualTo(new ShardMeta(1, "tokens-00001.npy", "docs-00001.npy", 3, 1, 2, 10, 12, 23));
            Path gen = Path.of(out.generationDir().toUri());
            assertThat(entries(gen.resolve("train")))
                    .containsExactly("docs-00000.npy", "docs-00001.npy", "tokens-00000.npy", "tokens-00001.npy");
            assertThat(gen.resolve("train/tokens-00000.npy")).hasContent("tokens a");
            assertThat(gen.resolve("train/docs-00001.npy")).hasContent("docs ok");
            assertThat(dir).doesNotExist();
            out.writeFile("vocab.json", new byte[] {'{', '}'});
            out.publish();
        }
        assertThat(manifest(1).files()).contains(
                new DatasetManifest.Entry("train/tokens-00001.npy", NpyArrayWriter.fileSize(NpyDtype.UINT16, 3), 12),
                new DatasetManifest.Entry("train/docs-00001.npy", NpyArrayWriter.fileSize(ShardLayout.DOCS_DTYPE, 2), 23));
    }

    private static ShardResult attempt(Path dir, int shard, String name, long tokens, long docs) throws IOException {
        Path t = Files.writeString(dir.resolve("train-tokens-" + shard + "." + name), "tokens " + name);
        Path d = Files.writeString(dir.resolve("train-docs-" + shard + "." + name), "docs " + name);
        return new ShardResult(shard, t.toUri().toString(), d.toUri().toString(), tokens, docs, 11 + shard, 22 + shard, 0, name);
    }

    @Test
    void anOutputHoldingAnInputOrAForeignFileInAGenerationIsNotReplaceable() throws IOException {
        format1Dataset(tmp.resolve("ds"), "old");
        InputFile in = new InputFile(new org.apache.hadoop.fs.Path(tmp.resolve("ds/vocab.json").toUri()).toString(), 3, 0);
        assertThatThrownBy(() -> DatasetOutput.claim(tmp.resolve("ds").toUri().toString(), "run1", List.of(in), new Configuration()))
                .hasMessageContaining("it contains the input file");
        Files.createDirectories(tmp.resolve("ds/gen-0000000004"));
        Files.writeString(tmp.resolve("ds/gen-0000000004/notes.txt"), "mine");
        assertThatThrownBy(() -> claim("run2")).hasMessageContaining("it holds gen-0000000004/notes.txt, which this job does not write");
        assertThat(tmp.resolve("ds/gen-0000000004/notes.txt")).hasContent("mine");
    }
}
