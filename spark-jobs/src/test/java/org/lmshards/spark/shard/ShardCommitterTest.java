package org.lmshards.spark.shard;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which attempt becomes each shard; the files themselves are io.DatasetOutputTest's. */
class ShardCommitterTest {
    private final ShardPlan plan = ShardPlan.plan(new int[][] {{5, 5}, {3}}, 8);   // shard 0: docs 0-1, shard 1: doc 2

    private static ShardResult attempt(int shard, String name, long tokens, long docs) {
        return new ShardResult(shard, "t-" + name, "d-" + name, tokens, docs, 11 + shard, 22 + shard, 0, name);
    }

    @Test
    void keepsTheFirstResultPerShardInShardOrder() {
        ShardResult a = attempt(0, "a", 10, 2);
        ShardResult b = attempt(1, "ok", 3, 1);
        assertThat(ShardCommitter.choose(plan, List.of(b, a, attempt(0, "dup", 10, 2)))).containsExactly(a, b);
    }

    @Test
    void refusesMissingShardsAndCountsThatDisagreeWithThePlan() {
        ShardResult only = attempt(0, "a", 10, 2);
        assertThatThrownBy(() -> ShardCommitter.choose(plan, List.of(only))).hasMessageContaining("expected results for shards 0..1");
        ShardResult wrong = attempt(1, "x", 4, 1);
        assertThatThrownBy(() -> ShardCommitter.choose(plan, List.of(only, wrong)))
                .hasMessageContaining("shard 1 holds 1 documents / 4 tokens, planned 1 / 3");
    }
}
