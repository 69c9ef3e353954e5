package org.lmshards.spark.shard;

import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver side of the shard commit: which task attempt's files become each shard. Spark returns
 * one successful result per partition, but failed, retried or speculative attempts may have left
 * files (and a duplicate result would be discarded). The committer keeps exactly one result per
 * shard and checks it against the plan; the output ({@code io.DatasetOutput}) moves the chosen
 * files into the generation and deletes the rest with the task directory.
 */
public final class ShardCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(ShardCommitter.class);

    private ShardCommitter() {
    }

    /** One result per shard of the plan, in shard order; throws if a shard is missing or its counts disagree with the plan. */
    public static List<ShardResult> choose(ShardPlan plan, Collection<ShardResult> results) {
        TreeMap<Integer, ShardResult> chosen = new TreeMap<>();
        for (ShardResult r : results) {
            ShardResult prev = chosen.putIfAbsent(r.shard(), r);
            if (prev != null) {
                LOG.debug("Shard {}: keeping attempt {}, discarding duplicate attempt {}", r.shard(), prev.attempt(), r.attempt());
            }
        }
        if (chosen.size() != plan.numShards() || (!chosen.isEmpty() && chosen.lastKey() != plan.numShards() - 1)) {
            throw new IllegalStateException("expected results for shards 0.." + (plan.numShards() - 1) + ", got " + chosen.keySet());
        }
        for (ShardResult r : chosen.values()) {
            int i = r.shard();
            if (r.numTokens() != plan.numTokens(i) || r.numDocs() != plan.numDocs(i)) {
                throw new IllegalStateException("shard " + i + " holds " + r.numDocs() + " documents / " + r.numTokens()
                        + " tokens, planned " + plan.numDocs(i) + " / " + plan.numTokens(i));
            }
        }
        return List.copyOf(chosen.values());
    }
}
