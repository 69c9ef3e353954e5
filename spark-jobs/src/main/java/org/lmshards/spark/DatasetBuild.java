package org.lmshards.spark;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.lmshards.core.ExitCode;
import org.lmshards.core.LmShardsVersion;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.ShardMeta;
import org.lmshards.core.shard.SplitMeta;
import org.lmshards.core.shard.VocabChecksum;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.BuildSummary.SplitStats;
import org.lmshards.spark.io.DatasetCache;
import org.lmshards.spark.io.GivenVocabulary;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.InputFile;
import org.lmshards.spark.io.InputStability;
import org.lmshards.spark.io.InputResolver;
import org.lmshards.spark.io.DatasetOutput;
import org.lmshards.spark.shard.ShardGroups;
import org.lmshards.spark.shard.ShardPlan;
import org.lmshards.spark.shard.ShardResult;
import org.lmshards.spark.shard.ShardWriteTask;
import org.lmshards.spark.shard.SplitMetaJson;
import org.lmshards.spark.support.FaultInjection;
import org.lmshards.spark.support.TaskDrain;
import org.lmshards.spark.tokens.TokenBlock;
import org.lmshards.spark.tokens.TokenizeTask;
import org.lmshards.spark.tokens.TrainVocabulary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * One run of the job: resolve inputs, claim the output, reuse it on a cache hit, otherwise
 * build the dataset as a new generation of the output and publish it with its manifest
 * ({@link DatasetOutput}, which alone knows the output's layout).
 *
 * <p>Pipeline per split ({@link #build}): read (one task per read unit, strict CSV) → range
 * repartition when there are too few units → tokenize into cached {@link TokenBlock}s, each
 * partition holding consecutive documents → collect per-document token counts → plan shards on
 * the driver → one task per shard numericalizes its documents from the cached blocks
 * ({@link ShardGroups}, no shuffle) and writes the shard → the driver commits one attempt per
 * shard and writes {@code meta.json}. The vocabulary comes from a distributed count over the
 * train blocks, or from {@code --vocab} (optionally extended by that count). The manifest is
 * written last.
 */
final class DatasetBuild {
    private static final long MIN_PARTITION_BYTES = 1 << 10;
    private static final Logger LOG = LoggerFactory.getLogger(DatasetBuild.class);
    private static final List<String> SPLITS = List.of(ShardLayout.TRAIN, ShardLayout.VALID);
    /** How long a failed or finished write stage may take to stop the attempts Spark no longer needs. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);

    private final JavaSparkContext jsc;
    private final BuildSettings settings;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    /** The Spark job group of this run's actions, so that their leftover task attempts can be drained. */
    private final String jobGroup = "lmshards-preprocess-" + runId;

    DatasetBuild(SparkContext sc, BuildSettings settings) {
        this.jsc = JavaSparkContext.fromSparkContext(sc);
        this.settings = settings;
    }

    int run() throws IOException {
        long t0 = System.nanoTime();
        Configuration hconf = jsc.hadoopConfiguration();
        Map<String, List<InputFile>> inputs = InputResolver.resolveSplits(settings.train(), settings.valid(), hconf);
        GivenVocabulary given = settings.vocab() == null ? null : GivenVocabulary.read(settings.vocab(), hconf);
        List<InputFile> allInputs = new ArrayList<>(inputs.values().stream().flatMap(List::stream).toList());
        if (given != null) {
            allInputs.add(given.file());   // a rebuild would delete a --vocab inside the output
        }
        List<DatasetCache.Expected> expected = expected(inputs, given);

        try (DatasetOutput out = DatasetOutput.claim(settings.output(), runId, allInputs, hconf)) {
            if (isCacheHit(out, expected)) {
                return ExitCode.OK;
            }
            out.begin();
            jsc.setJobGroup(jobGroup, "lmshards preprocess into " + out.output(), false);
            try {
                BuildSummary summary = build(out, inputs, given, expected);
                FaultInjection.haltPoint("staged");
                out.publish();
                summary.print(out.output(), (System.nanoTime() - t0) / 1e9);
            } catch (Throwable e) {
                // Throwable, not IOException | RuntimeException: a failed Spark action throws the checked
                // SparkException undeclared, and the unpublished generation must go in that case too.
                out.abandon(e, () -> TaskDrain.await(jsc, jobGroup, DRAIN_TIMEOUT));
                throw e;
            } finally {
                jsc.clearJobGroup();
            }
            FaultInjection.haltPoint("done");
            return ExitCode.OK;
        }
    }

    /** What each split's meta.json must record for the output to be reused, and what this build writes there. */
    private List<DatasetCache.Expected> expected(Map<String, List<InputFile>> inputs, GivenVocabulary given) {
        FastaiTokenizer tokenizer = TokenizeTask.tokenizer();
        Map<String, Object> tokenizerInfo = new LinkedHashMap<>();
        tokenizerInfo.put("name", tokenizer.name());
        tokenizerInfo.put("settings", tokenizer.settings());
        Map<String, Object> metaSettings = settings.metaSettings(given);
        List<DatasetCache.Expected> expected = new ArrayList<>();
        inputs.forEach((split, files) -> expected.add(new DatasetCache.Expected(split, DatasetCache.source(files), metaSettings,
                tokenizerInfo, LmShardsVersion.get())));
        return expected;
    }

    /** Whether the output already holds this dataset (never with --force); says so, or why it is rebuilt, on stdout. */
    private boolean isCacheHit(DatasetOutput out, List<DatasetCache.Expected> expected) throws IOException {
        if (settings.force()) {
            LOG.info("--force: rebuilding {}", out.output());
            return false;
        }
        String why = DatasetCache.mismatch(out, expected, SPLITS);
        if (why == null) {
            LOG.debug("Cache hit: {} already holds this dataset (same inputs, sizes, modification times and settings)", out.output());
            System.out.println("cache hit: " + out.output() + " is up to date (use --force to rebuild)");
            return true;
        }
        LOG.debug("Building {}: {}", out.output(), why);
        System.out.println("building " + out.output() + ": " + why);
        return false;
    }

    /** The pipeline, stage by stage, into the new generation; every file handed to {@code out}. */
    private BuildSummary build(DatasetOutput out, Map<String, List<InputFile>> inputs, GivenVocabulary given,
                               List<DatasetCache.Expected> expected) throws IOException {
        FaultInjection fault = FaultInjection.fromSparkConf(jsc.getConf());
        Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(jsc.hadoopConfiguration()));
        long totalBytes = inputs.values().stream().flatMap(List::stream).mapToLong(InputFile::size).sum();
        int parts = settings.partitions() != null ? cappedPartitions(settings.partitions(), totalBytes)
                : (int) Math.max(jsc.defaultParallelism(), Math.min(10_000, (totalBytes + (64 << 20) - 1) / (64 << 20)));
        List<TokenizedSplit> splits = new ArrayList<>();
        try (BuildProgress progress = new BuildProgress(jsc)) {
            LOG.info("Reading {} input file(s), {} MB, with {} tokenizing partition(s)", inputs.values().stream().mapToInt(List::size).sum(),
                    String.format(Locale.ROOT, "%.1f", totalBytes / 1e6), parts);
            SplitTokenizer tokenizer = new SplitTokenizer(jsc, settings, conf.value(), parts, fault, progress);
            for (Map.Entry<String, List<InputFile>> e : inputs.entrySet()) {
                Path spool = out.openSpoolDir(e.getKey());
                splits.add(tokenizer.tokenize(e.getKey(), e.getValue(), spool));
            }
            splits.forEach(s -> s.requireUsable(settings));
            InputStability.requireUnchanged(jsc.hadoopConfiguration(), inputs); // every input has been read now
            FaultInjection.haltPoint("tokenized");

            JavaRDD<TokenBlock> train = named(splits, ShardLayout.TRAIN).blocks();
            Vocabulary vocab = given == null ? TrainVocabulary.build(train, parts, settings.minFreq(), settings.maxVocab())
                    : TrainVocabulary.given(given, train, parts, settings.vocabExtend());
            byte[] vocabJson = TrainVocabulary.json(vocab, given);
            out.writeFile(ShardLayout.VOCAB, vocabJson);
            FaultInjection.haltPoint("vocab-written");

            Broadcast<byte[]> vocabBroadcast = jsc.broadcast(vocabJson);
            Map<String, Object> vocabSource = given == null ? null : given.source(vocab);
            BuildSummary summary = new BuildSummary(vocab.size(), vocabSource, totalBytes);
            for (TokenizedSplit split : splits) {
                DatasetCache.Expected meta = expected.stream().filter(x -> x.split().equals(split.name())).findFirst().orElseThrow();
                summary.add(split.name(), writeSplit(out, split, vocabBroadcast, vocab.size(), vocabSource, meta, conf, fault, progress));
            }
            for (TokenizedSplit split : splits) {
                out.writeRejects(split.name(), split.rejects());
            }
            FaultInjection.haltPoint("before-success");
            return summary;
        } finally {
            splits.forEach(s -> s.blocks().unpersist(false));
        }
    }

    /** The split called {@code name}; by name, so that the vocabulary never depends on the order of the inputs. */
    private static TokenizedSplit named(List<TokenizedSplit> splits, String name) {
        return splits.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + " split"));
    }

    /**
     * {@code --partitions} far above what the input can fill (100,000 for a 135 KB file: 100,000
     * nearly empty tasks) is capped, with a warning, at one per {@value #MIN_PARTITION_BYTES}
     * bytes of input (at least Spark's default parallelism); the output does not depend on it.
     */
    private int cappedPartitions(int asked, long totalBytes) {
        long cap = Math.max(jsc.defaultParallelism(), (totalBytes + MIN_PARTITION_BYTES - 1) / MIN_PARTITION_BYTES);
        if (asked <= cap) {
            return asked;
        }
        System.err.println("warning: --partitions " + asked + " is more than " + totalBytes + " bytes of input can use; using "
                + cap);
        return (int) cap;
    }

    /** One task per shard writes it from the cached blocks; the driver commits one attempt each, then meta.json. */
    private SplitStats writeSplit(DatasetOutput out, TokenizedSplit d, Broadcast<byte[]> vocabJson, int vocabSize,
                                  Map<String, Object> vocabSource, DatasetCache.Expected e, Broadcast<HadoopConf> conf,
                                  FaultInjection fault, BuildProgress progress) throws IOException {
        ShardPlan plan = d.plan();
        TokenDtype dtype = TokenDtype.forVocabSize(vocabSize);
        Path tmp = out.openTaskDir(d.name());
        // A narrow dependency, no shuffle: each shard's task reads only the cached blocks that hold its documents.
        ShardGroups groups = ShardGroups.of(plan, d.ranges().first(), d.ranges().end());
        RDD<TokenBlock> byShard = d.blocks().rdd().coalesce(groups.numShards(), false, Option.apply(groups), null);
        List<ShardResult> results = JavaRDD.fromRDD(byShard, d.blocks().classTag())
                .mapPartitionsWithIndex(new ShardWriteTask(d.name(), tmp.toString(), dtype, vocabJson, jsc.broadcast(plan), conf,
                        fault, progress.written), false)
                .collect();
        // A speculative attempt that lost (or a sibling of a retried one) may still be running: it
        // writes only attempt-unique files, but must be done before the temporary directory goes.
        if (!TaskDrain.await(jsc, jobGroup, DRAIN_TIMEOUT)) {
            LOG.warn("{}: committing while unneeded task attempts are still running; their files are discarded", d.name());
        }
        FaultInjection.haltPoint(d.name() + "-shards-written");
        List<ShardMeta> shards = out.commitShards(d.name(), tmp, plan, dtype, results);
        long unknown = results.stream().mapToLong(ShardResult::unknownTokens).sum();
        SplitMeta meta = SplitMeta.ofCurrentFormat(d.name(), dtype.metaName(), vocabSize, plan.totalTokens(), plan.totalDocs(),
                shards, e.tokenizer(), e.source(), e.settings(), d.rejects().count(), Instant.now().toString(), LmShardsVersion.get());
        byte[] metaJson = VocabChecksum.addTo(SplitMetaJson.withVocabFields(meta, unknown, vocabSource),
                VocabChecksum.of(vocabJson.value()));
        out.writeFile(d.name() + "/" + ShardLayout.META, metaJson);
        FaultInjection.haltPoint(d.name() + "-meta-written");
        return new SplitStats(plan.totalDocs(), plan.totalTokens(), unknown, plan.numShards(), d.rejects().count());
    }
}
