package org.lmshards.spark.shard;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.ShardMeta;
import org.lmshards.spark.support.FaultInjection;
import org.lmshards.spark.io.StagingFence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver side of the commit protocol. Each shard task attempt writes attempt-unique temporary
 * files; Spark returns one successful result per partition, but failed, retried or speculative
 * attempts may have left files too. The committer keeps exactly one result per shard, renames
 * its files to the final shard names, checks them against the plan, and then deletes the
 * temporary directory with everything the other attempts wrote.
 */
public final class ShardCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(ShardCommitter.class);

    private ShardCommitter() {
    }

    public static List<ShardMeta> commit(FileSystem fs, Path splitDir, Path tmpDir, ShardPlan plan,
                                         Collection<ShardResult> results) throws IOException {
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
        fs.mkdirs(splitDir);
        List<ShardMeta> metas = new ArrayList<>();
        for (ShardResult r : chosen.values()) {
            int i = r.shard();
            if (r.numTokens() != plan.numTokens(i) || r.numDocs() != plan.numDocs(i)) {
                throw new IllegalStateException("shard " + i + " holds " + r.numDocs() + " documents / " + r.numTokens()
                        + " tokens, planned " + plan.numDocs(i) + " / " + plan.numTokens(i));
            }
            LOG.debug("Shard {} of {}: committing attempt {}", i, splitDir.getName(), r.attempt());
            rename(fs, new Path(r.tmpTokens()), new Path(splitDir, ShardLayout.tokensFile(i)));
            rename(fs, new Path(r.tmpDocs()), new Path(splitDir, ShardLayout.docsFile(i)));
            if (i == 0) {
                FaultInjection.haltPoint("first-shard-committed");
            }
            metas.add(new ShardMeta(i, ShardLayout.tokensFile(i), ShardLayout.docsFile(i), r.numTokens(), r.numDocs(),
                    plan.firstDoc(i), plan.firstToken(i), r.tokensCrc32c(), r.docsCrc32c()));
        }
        FaultInjection.haltPoint("shards-committed");
        StagingFence.close(fs, tmpDir);
        if (!fs.delete(tmpDir, true) && fs.exists(tmpDir)) {
            throw new IOException("cannot delete the temporary directory " + tmpDir);
        }
        return metas;
    }

    private static void rename(FileSystem fs, Path from, Path to) throws IOException {
        if (fs.exists(to)) {
            throw new IOException("cannot commit " + from + ": " + to + " already exists");
        }
        if (!fs.rename(from, to)) {
            throw new IOException("cannot rename " + from + " to " + to);
        }
    }
}
