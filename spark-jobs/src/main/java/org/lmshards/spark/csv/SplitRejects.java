package org.lmshards.spark.csv;

import java.util.List;

/**
 * A split's rejected rows as the driver knows them: the executors' spool files in input order
 * (partition, then block), their total and the first one; never the rows themselves.
 */
public record SplitRejects(List<RejectBatch> batches, long count, Reject first) {
    /** @param inOrder every block's batch, in input order (empty ones are dropped) */
    public static SplitRejects of(List<RejectBatch> inOrder) {
        List<RejectBatch> kept = inOrder.stream().filter(b -> b.count() > 0).toList();
        Reject first = kept.stream().map(RejectBatch::first).min(Reject::compareTo).orElse(null);
        return new SplitRejects(kept, kept.stream().mapToLong(RejectBatch::count).sum(), first);
    }
}
