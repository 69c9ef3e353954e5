package org.lmshards.spark;

import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.spark.csv.InputUnit;
import org.lmshards.spark.csv.Reject;
import org.lmshards.spark.csv.SplitRejects;
import org.lmshards.spark.io.InputFile;
import org.lmshards.spark.shard.PartitionDocRanges;
import org.lmshards.spark.shard.ShardPlan;
import org.lmshards.spark.support.BadInputException;
import org.lmshards.spark.tokens.TokenBlock;

/**
 * A split's tokenized blocks (cached until the run ends) and what the driver learned from them:
 * its document count, shard plan, which documents each block partition holds, and its rejects.
 */
record TokenizedSplit(String name, List<InputFile> files, List<InputUnit> units, JavaRDD<TokenBlock> blocks, long docs,
                      ShardPlan plan, PartitionDocRanges ranges, SplitRejects rejects) {
    /** The file a row (identified by its unit index) comes from. */
    String pathOf(int unit) {
        return files.get(units.get(unit).file()).path();
    }

    /** Throws {@link BadInputException} for a bad row under {@code --on-bad-row fail}, or a split without documents. */
    void requireUsable(BuildSettings settings) {
        if (rejects.count() > 0 && settings.onBadRow() == BadRowPolicy.fail) {
            Reject r = rejects.first();
            throw new BadInputException(pathOf(r.unit()) + ": row " + r.row() + " (line " + r.line() + "): " + r.reason()
                    + " [--" + name + " input; rerun with --on-bad-row skip to leave bad rows out and list them in rejects/]");
        }
        if (docs == 0) {
            Reject r = rejects.first();
            throw new BadInputException("--" + name + " " + (name.equals(ShardLayout.TRAIN) ? settings.train() : settings.valid())
                    + ": no documents (" + (rejects.count() == 0 ? "the input is empty" : "all " + rejects.count()
                    + " rows were rejected, the first: " + pathOf(r.unit()) + " row " + r.row() + ": " + r.reason()) + ")");
        }
    }
}
