package org.lmshards.spark.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.ShardMeta;
import org.lmshards.spark.io.Fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The driver side of the commit protocol, with the debris that retries and speculative attempts leave. */
class ShardCommitterTest {
    @TempDir
    Path tmp;

    private final ShardPlan plan = ShardPlan.plan(new int[][] {{5, 5}, {3}}, 8);   // shard 0: docs 0-1, shard 1: doc 2

    private ShardResult attempt(int shard, String name, long tokens, long docs) throws IOException {
        Path t = Files.writeString(tmp.resolve("_temporary/train-tokens-" + shard + "." + name), "tokens " + name);
        Path d = Files.writeString(tmp.resolve("_temporary/train-docs-" + shard + "." + name), "docs " + name);
        return new ShardResult(shard, t.toUri().toString(), d.toUri().toString(), tokens, docs, 11 + shard, 22 + shard, 0, name);
    }

    private FileSystem fs() throws IOException {
        return Fs.of(new org.apache.hadoop.fs.Path(tmp.toUri()), new Configuration());
    }

    @Test
    void commitsExactlyOneAttemptPerShardAndRemovesTheRest() throws IOException {
        Files.createDirectories(tmp.resolve("_temporary"));
        ShardResult a = attempt(0, "a", 10, 2);
        ShardResult speculative = attempt(0, "b", 10, 2);
        attempt(1, "failed", 3, 1);                    // a failed attempt: files written, no result
        ShardResult b = attempt(1, "ok", 3, 1);
        List<ShardMeta> metas = ShardCommitter.commit(fs(), hpath("train"), hpath("_temporary"), plan, List.of(b, a, speculative));
        assertThat(metas).extracting(ShardMeta::index).containsExactly(0, 1);
        assertThat(metas.get(1)).isEqualTo(new ShardMeta(1, "tokens-00001.npy", "docs-00001.npy", 3, 1, 2, 10, 12, 23));
        try (var files = Files.list(tmp.resolve("train"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("tokens-00000.npy", "docs-00000.npy", "tokens-00001.npy", "docs-00001.npy");
        }
        assertThat(tmp.resolve("train/tokens-00000.npy")).hasContent("tokens a");
        assertThat(tmp.resolve("train/docs-00001.npy")).hasContent("docs ok");
        assertThat(tmp.resolve("_temporary")).doesNotExist();
    }

    @Test
    void refusesMissingShardsAndCountsThatDisagreeWithThePlan() throws IOException {
        Files.createDirectories(tmp.resolve("_temporary"));
        ShardResult only = attempt(0, "a", 10, 2);
        assertThatThrownBy(() -> ShardCommitter.commit(fs(), hpath("train"), hpath("_temporary"), plan, List.of(only)))
                .hasMessageContaining("expected results for shards 0..1");
        ShardResult wrong = attempt(1, "x", 4, 1);
        assertThatThrownBy(() -> ShardCommitter.commit(fs(), hpath("train"), hpath("_temporary"), plan, List.of(only, wrong)))
                .hasMessageContaining("shard 1 holds 1 documents / 4 tokens, planned 1 / 3");
    }

    private org.apache.hadoop.fs.Path hpath(String rel) {
        return new org.apache.hadoop.fs.Path(tmp.resolve(rel).toUri());
    }
}
