package org.lmshards.spark.shard;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.lmshards.core.shard.RunStarts;

/**
 * The split's layout, decided on the driver from per-document token counts in global document
 * order only, so that it cannot depend on how Spark partitioned the work: documents are
 * numbered file by file (sorted order), row by row, and a shard closes at the first document
 * boundary where it holds at least {@code shardTokens} tokens (docs/FORMAT.md).
 */
public final class ShardPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] unitOffsets;   // global number of each read unit's first document
    private final long[] firstDoc;
    private final long[] numDocs;
    private final long[] firstToken;
    private final long[] numTokens;

    private ShardPlan(long[] unitOffsets, long[] firstDoc, long[] numDocs, long[] firstToken, long[] numTokens) {
        this.unitOffsets = unitOffsets;
        this.firstDoc = firstDoc;
        this.numDocs = numDocs;
        this.firstToken = firstToken;
        this.numTokens = numTokens;
    }

    /**
     * @param lengths     per read unit (sorted input order), the token count of each accepted document in row order
     * @param shardTokens the target shard size
     */
    public static ShardPlan plan(int[][] lengths, long shardTokens) {
        if (shardTokens < 1) {
            throw new IllegalArgumentException("shard tokens must be positive: " + shardTokens);
        }
        long[] unitOffsets = new long[lengths.length];
        List<long[]> shards = new ArrayList<>();   // {firstDoc, numDocs, firstToken, numTokens}
        long doc = 0;
        long token = 0;
        long[] open = null;
        for (int f = 0; f < lengths.length; f++) {
            unitOffsets[f] = doc;
            for (int len : lengths[f]) {
                if (open == null) {
                    open = new long[] {doc, 0, token, 0};
                }
                open[1]++;
                open[3] += len;
                doc++;
                token += len;
                if (open[3] >= shardTokens) {
                    shards.add(open);
                    open = null;
                }
            }
        }
        if (open != null) {
            shards.add(open);
        }
        int n = shards.size();
        long[] fd = new long[n];
        long[] nd = new long[n];
        long[] ft = new long[n];
        long[] nt = new long[n];
        for (int i = 0; i < n; i++) {
            long[] s = shards.get(i);
            fd[i] = s[0];
            nd[i] = s[1];
            ft[i] = s[2];
            nt[i] = s[3];
        }
        return new ShardPlan(unitOffsets, fd, nd, ft, nt);
    }

    public int numShards() {
        return firstDoc.length;
    }

    /** The global number of the {@code ordinal}-th accepted document of read unit {@code unit}. */
    public long docNumber(int unit, long ordinal) {
        return unitOffsets[unit] + ordinal;
    }

    /** The shard holding global document {@code doc}. */
    public int shardOf(long doc) {
        return RunStarts.runOf(firstDoc, doc);
    }

    public long firstDoc(int shard) {
        return firstDoc[shard];
    }

    public long numDocs(int shard) {
        return numDocs[shard];
    }

    public long firstToken(int shard) {
        return firstToken[shard];
    }

    public long numTokens(int shard) {
        return numTokens[shard];
    }

    public long totalDocs() {
        return firstDoc.length == 0 ? 0 : firstDoc[firstDoc.length - 1] + numDocs[numDocs.length - 1];
    }

    public long totalTokens() {
        return firstToken.length == 0 ? 0 : firstToken[firstToken.length - 1] + numTokens[numTokens.length - 1];
    }
}
