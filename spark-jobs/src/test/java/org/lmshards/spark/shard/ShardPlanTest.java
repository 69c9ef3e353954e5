package org.lmshards.spark.shard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardPlanTest {
    @Test
    void shardsCloseAtTheFirstDocumentBoundaryAtOrPastTheTarget() {
        // files: {3, 4}, {} (empty file), {10}, {1, 1, 1}
        ShardPlan p = ShardPlan.plan(new int[][] {{3, 4}, {}, {10}, {1, 1, 1}}, 5);
        assertThat(p.numShards()).isEqualTo(3);
        assertThat(new long[] {p.firstDoc(0), p.firstDoc(1), p.firstDoc(2)}).containsExactly(0, 2, 3);
        assertThat(new long[] {p.numDocs(0), p.numDocs(1), p.numDocs(2)}).containsExactly(2, 1, 3);
        assertThat(new long[] {p.firstToken(0), p.firstToken(1), p.firstToken(2)}).containsExactly(0, 7, 17);
        assertThat(new long[] {p.numTokens(0), p.numTokens(1), p.numTokens(2)}).containsExactly(7, 10, 3);
        assertThat(p.totalDocs()).isEqualTo(6);
        assertThat(p.totalTokens()).isEqualTo(20);
        assertThat(p.docNumber(2, 0)).isEqualTo(2);
        assertThat(p.docNumber(3, 1)).isEqualTo(4);
        assertThat(p.shardOf(0)).isZero();
        assertThat(p.shardOf(1)).isZero();
        assertThat(p.shardOf(2)).isEqualTo(1);
        assertThat(p.shardOf(5)).isEqualTo(2);
    }

    @Test
    void aLongDocumentMakesOneLargeShardAndNoDocumentsMakeNoShards() {
        ShardPlan p = ShardPlan.plan(new int[][] {{100, 1}}, 10);
        assertThat(p.numShards()).isEqualTo(2);
        assertThat(p.numTokens(0)).isEqualTo(100);
        assertThat(ShardPlan.plan(new int[][] {{}}, 10).numShards()).isZero();
        assertThatThrownBy(() -> ShardPlan.plan(new int[][] {{1}}, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
