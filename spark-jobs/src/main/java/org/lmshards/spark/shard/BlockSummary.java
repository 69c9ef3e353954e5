package org.lmshards.spark.shard;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.lmshards.spark.csv.RejectBatch;
import org.lmshards.spark.tokens.TokenBlock;

/** Per-block facts the driver needs: the block's partition, document keys and lengths, and the rejects. */
public record BlockSummary(int partition, int[] units, long[] ordinals, int[] lengths, RejectBatch rejects)
        implements Serializable {
    static BlockSummary of(int partition, TokenBlock b) {
        return new BlockSummary(partition, b.units(), b.ordinals(), b.lengths(), b.rejects());
    }

    /** The summaries of every block, in partition order and, within a partition, in block order. */
    public static List<BlockSummary> collect(JavaRDD<TokenBlock> blocks) {
        return blocks.mapPartitionsWithIndex((p, it) -> {
            List<BlockSummary> l = new ArrayList<>();
            it.forEachRemaining(b -> l.add(BlockSummary.of(p, b)));
            return l.iterator();
        }, true).collect();
    }
}
