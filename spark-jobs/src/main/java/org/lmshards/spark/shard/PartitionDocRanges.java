package org.lmshards.spark.shard;

import java.util.Arrays;
import java.util.List;

/**
 * Which documents each partition of a split's token blocks holds: partition {@code p} holds the
 * consecutive documents {@code [first[p], end[p])} by their global numbers
 * ({@link ShardPlan#docNumber}); {@code first[p]} is -1 for a partition without documents. The
 * write stage cuts shards from the cached blocks ({@link ShardGroups}) only because every
 * partition holds consecutive documents, so {@link #of} checks it.
 */
public record PartitionDocRanges(long[] first, long[] end) {
    public static PartitionDocRanges of(String split, List<BlockSummary> summaries, ShardPlan plan, int numParts) {
        long[] first = new long[numParts];
        long[] end = new long[numParts];
        Arrays.fill(first, -1);
        for (BlockSummary s : summaries) {
            int p = s.partition();
            for (int i = 0; i < s.units().length; i++) {
                long doc = plan.docNumber(s.units()[i], s.ordinals()[i]);
                if (first[p] < 0) {
                    first[p] = doc;
                } else if (doc != end[p]) {
                    throw new IllegalStateException(split + ": partition " + p + " holds document " + doc + " after "
                            + (end[p] - 1) + " (not consecutive)");
                }
                end[p] = doc + 1;
            }
        }
        return new PartitionDocRanges(first, end);
    }
}
