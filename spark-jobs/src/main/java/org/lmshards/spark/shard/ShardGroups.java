package org.lmshards.spark.shard;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.spark.Partition;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import scala.Option;

/**
 * The write stage's view of the cached token blocks: group {@code i} lists, in document order,
 * the partitions of the blocks that hold documents of shard {@code i}. Given to
 * {@code RDD.coalesce} (a narrow dependency), it lets one task write one shard straight from
 * the cached blocks, with no shuffle; a partition whose documents straddle shards is read by
 * the task of each. Needs every partition to hold consecutive documents (a read unit's rows, or
 * a {@code RowRangePartitioner} range), which {@link #of} checks.
 */
public final class ShardGroups implements PartitionCoalescer, Serializable {
    private static final long serialVersionUID = 1L;

    private final int[][] parents;

    private ShardGroups(int[][] parents) {
        this.parents = parents;
    }

    /**
     * @param firstDoc per partition of the blocks, the global number of its first document, or
     *                 -1 when it holds none
     * @param endDoc   per partition, one past the global number of its last document
     * @throws IllegalStateException when the partitions' documents overlap or leave a gap, so
     *                               that some document would be written twice or never
     */
    public static ShardGroups of(ShardPlan plan, long[] firstDoc, long[] endDoc) {
        Integer[] order = IntStream.range(0, firstDoc.length).filter(p -> firstDoc[p] >= 0).boxed()
                .sorted(Comparator.comparingLong(p -> firstDoc[p])).toArray(Integer[]::new);
        long next = 0;
        for (int p : order) {
            if (firstDoc[p] != next || endDoc[p] <= firstDoc[p]) {
                throw new IllegalStateException("partition " + p + " holds documents [" + firstDoc[p] + ", " + endDoc[p]
                        + ") where document " + next + " was expected next");
            }
            next = endDoc[p];
        }
        if (next != plan.totalDocs()) {
            throw new IllegalStateException("the partitions hold " + next + " documents, the shard plan " + plan.totalDocs());
        }
        long[] ends = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            ends[i] = endDoc[order[i]];
        }
        int[][] parents = new int[plan.numShards()][];
        for (int s = 0; s < parents.length; s++) {
            long first = plan.firstDoc(s);
            long end = first + plan.numDocs(s);
            // The first partition ending after the shard's first document, then every one starting before its end.
            int i = Arrays.binarySearch(ends, first + 1);
            i = i >= 0 ? i : -i - 1;
            List<Integer> in = new ArrayList<>();
            for (; i < order.length && firstDoc[order[i]] < end; i++) {
                in.add(order[i]);
            }
            parents[s] = in.stream().mapToInt(Integer::intValue).toArray();
        }
        return new ShardGroups(parents);
    }

    /** The partitions shard {@code shard}'s task reads, in document order. */
    public int[] parents(int shard) {
        return parents[shard].clone();
    }

    public int numShards() {
        return parents.length;
    }

    @Override
    public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
        Partition[] partitions = parent.partitions();
        PartitionGroup[] groups = new PartitionGroup[parents.length];
        for (int s = 0; s < parents.length; s++) {
            // No preferred location of its own: the scheduler then prefers where the first parent is cached.
            groups[s] = new PartitionGroup(Option.empty());
            for (int p : parents[s]) {
                groups[s].partitions().addOne(partitions[p]);
            }
        }
        return groups;
    }
}
