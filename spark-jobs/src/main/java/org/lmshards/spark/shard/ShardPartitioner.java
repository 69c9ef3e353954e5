package org.lmshards.spark.shard;

import org.apache.spark.Partitioner;

/** Sends each document (keyed by its global number) to the partition of its shard: one task writes one shard. */
public final class ShardPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final ShardPlan plan;

    public ShardPartitioner(ShardPlan plan) {
        this.plan = plan;
    }

    @Override
    public int numPartitions() {
        return plan.numShards();
    }

    @Override
    public int getPartition(Object key) {
        return plan.shardOf((Long) key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardPartitioner p && p.plan == plan;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(plan);
    }
}
