package org.lmshards.spark.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ShardGroupsTest {

    @Test
    void eachShardReadsThePartitionsHoldingItsDocumentsInDocumentOrder() {
        // 10 documents of 1 token, shards of 3: [0,3) [3,6) [6,9) [9,10)
        ShardPlan plan = ShardPlan.plan(new int[][] {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}, 3);
        // partitions out of order, one empty: p0 = [4,10), p1 = none, p2 = [0,4)
        ShardGroups g = ShardGroups.of(plan, new long[] {4, -1, 0}, new long[] {10, 0, 4});
        assertThat(g.numShards()).isEqualTo(4);
        assertThat(g.parents(0)).containsExactly(2);
        assertThat(g.parents(1)).containsExactly(2, 0);   // documents 3 (p2), 4 and 5 (p0)
        assertThat(g.parents(2)).containsExactly(0);
        assertThat(g.parents(3)).containsExactly(0);
    }

    @Test
    void matchesABruteForceOverlapOnRandomLayouts() {
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            int docs = 1 + rnd.nextInt(60);
            int[] lengths = new int[docs];
            for (int d = 0; d < docs; d++) {
                lengths[d] = rnd.nextInt(5);   // empty documents too
            }
            ShardPlan plan = ShardPlan.plan(new int[][] {lengths}, 1 + rnd.nextInt(12));
            // cut [0, docs) into runs, some partitions empty, in shuffled partition order
            List<long[]> runs = new ArrayList<>();
            for (int d = 0; d < docs; ) {
                int n = 1 + rnd.nextInt(8);
                runs.add(new long[] {d, Math.min(docs, d + n)});
                d += n;
                if (rnd.nextInt(4) == 0) {
                    runs.add(null);
                }
            }
            java.util.Collections.shuffle(runs, rnd);
            long[] first = new long[runs.size()];
            long[] end = new long[runs.size()];
            for (int p = 0; p < runs.size(); p++) {
                first[p] = runs.get(p) == null ? -1 : runs.get(p)[0];
                end[p] = runs.get(p) == null ? 0 : runs.get(p)[1];
            }
            ShardGroups g = ShardGroups.of(plan, first, end);
            for (int s = 0; s < plan.numShards(); s++) {
                long a = plan.firstDoc(s);
                long b = a + plan.numDocs(s);
                List<Integer> want = new ArrayList<>();
                for (long doc = a; doc < b; doc++) {
                    for (int p = 0; p < first.length; p++) {
                        if (first[p] <= doc && doc < end[p] && !want.contains(p)) {
                            want.add(p);
                        }
                    }
                }
                assertThat(g.parents(s)).as("round %d shard %d", round, s).containsExactly(want.stream().mapToInt(Integer::intValue).toArray());
            }
        }
    }

    @Test
    void refusesPartitionsThatOverlapOrLeaveAGap() {
        ShardPlan plan = ShardPlan.plan(new int[][] {{1, 1, 1, 1}}, 2);
        assertThatThrownBy(() -> ShardGroups.of(plan, new long[] {0, 1}, new long[] {2, 4}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("document 2 was expected");
        assertThatThrownBy(() -> ShardGroups.of(plan, new long[] {0, 3}, new long[] {2, 4}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("document 2 was expected");
        assertThatThrownBy(() -> ShardGroups.of(plan, new long[] {0}, new long[] {3}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("the shard plan 4");
    }
}
