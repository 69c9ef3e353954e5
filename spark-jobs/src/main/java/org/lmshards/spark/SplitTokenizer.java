package org.lmshards.spark;

import java.util.List;
import java.util.stream.IntStream;

import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.lmshards.spark.csv.InputUnit;
import org.lmshards.spark.csv.ParsedRow;
import org.lmshards.spark.csv.ReadTask;
import org.lmshards.spark.csv.ReadUnits;
import org.lmshards.spark.csv.RejectSpool;
import org.lmshards.spark.csv.RowRangePartitioner;
import org.lmshards.spark.csv.SplitRejects;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.InputFile;
import org.lmshards.spark.shard.BlockSummary;
import org.lmshards.spark.shard.DocumentLengths;
import org.lmshards.spark.shard.PartitionDocRanges;
import org.lmshards.spark.shard.ShardPlan;
import org.lmshards.spark.support.FaultInjection;
import org.lmshards.spark.tokens.TokenBlock;
import org.lmshards.spark.tokens.TokenizeTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read and tokenize stages of a split: one read task per read unit (strict CSV), a range
 * repartition when there are too few units to keep every core busy, tokenizing into cached
 * {@link TokenBlock}s whose partitions each hold consecutive documents; then, on the driver,
 * the document lengths, the shard plan and the rejects.
 */
final class SplitTokenizer {
    private static final Logger LOG = LoggerFactory.getLogger(SplitTokenizer.class);

    private final JavaSparkContext jsc;
    private final BuildSettings settings;
    private final HadoopConf conf;
    private final int parts;
    private final FaultInjection fault;
    private final BuildProgress progress;

    /** @param parts the tokenizing partitions */
    SplitTokenizer(JavaSparkContext jsc, BuildSettings settings, HadoopConf conf, int parts, FaultInjection fault,
                   BuildProgress progress) {
        this.jsc = jsc;
        this.settings = settings;
        this.conf = conf;
        this.parts = parts;
        this.fault = fault;
        this.progress = progress;
    }

    /** @param spool the split's open, fenced directory for rejected rows ({@link RejectSpool}) */
    TokenizedSplit tokenize(String split, List<InputFile> files, Path spool) {
        List<InputUnit> units = ReadUnits.of(jsc, split, files, conf, parts, settings.readChunkBytes());
        // One partition per unit: a whole file, or a range of a large file between record boundaries.
        JavaRDD<ParsedRow> rows = jsc.parallelize(IntStream.range(0, units.size()).boxed().toList(), units.size())
                .mapPartitions(new ReadTask(split + "-read", files, units, conf, settings.header(), settings.column(),
                        settings.onBadRow() == BadRowPolicy.fail, fault, progress.bytesRead, progress.rowsRead));
        if (units.size() < parts) {
            rows = RowRangePartitioner.spread(rows, files, units, parts);
        }
        JavaRDD<TokenBlock> blocks = rows
                .mapPartitions(new TokenizeTask(split + "-tokenize", fault, progress.tokens,
                        new RejectSpool(spool.toString(), units.stream().map(u -> files.get(u.file()).path()).toList(), conf)))
                .setName(split + " token blocks")
                .persist(StorageLevel.MEMORY_AND_DISK());

        List<BlockSummary> summaries = BlockSummary.collect(blocks);
        int[][] lengths = DocumentLengths.of(split, units, summaries);
        ShardPlan plan = ShardPlan.plan(lengths, settings.shardTokens());
        PartitionDocRanges ranges = PartitionDocRanges.of(split, summaries, plan, blocks.getNumPartitions());
        // collect() keeps partition order, and a partition's blocks are in order: so are the rejects.
        SplitRejects rejects = SplitRejects.of(summaries.stream().map(BlockSummary::rejects).toList());
        long docs = DocumentLengths.count(lengths);
        LOG.info("{}: {} file(s) in {} read unit(s), {} document(s), {} rejected row(s)", split, files.size(), units.size(), docs,
                rejects.count());
        return new TokenizedSplit(split, files, units, blocks, docs, plan, ranges, rejects);
    }
}
