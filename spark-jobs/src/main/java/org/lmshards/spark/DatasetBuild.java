package org.lmshards.spark;

import org.lmshards.core.ExitCode;
import org.lmshards.spark.support.UsageError;
import org.lmshards.spark.support.BadInputException;
import org.lmshards.spark.support.TaskDrain;
import org.lmshards.spark.support.FaultInjection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.lmshards.core.LmShardsVersion;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.ShardMeta;
import org.lmshards.core.shard.SplitMeta;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.csv.InputUnit;
import org.lmshards.spark.csv.ParsedRow;
import org.lmshards.spark.csv.ReadTask;
import org.lmshards.spark.csv.ScanTask;
import org.lmshards.spark.csv.Reject;
import org.lmshards.spark.csv.RejectSpool;
import org.lmshards.spark.csv.RejectsFile;
import org.lmshards.spark.csv.SplitRejects;
import org.lmshards.spark.csv.RowRangePartitioner;
import org.lmshards.spark.io.DatasetCache;
import org.lmshards.spark.io.FileIoError;
import org.lmshards.spark.io.GivenVocabulary;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.InputFile;
import org.lmshards.spark.io.InputResolver;
import org.lmshards.spark.io.OutputLock;
import org.lmshards.spark.io.StagedOutput;
import org.lmshards.spark.io.StagingFence;
import org.lmshards.spark.shard.BlockSummary;
import org.lmshards.spark.shard.DocumentLengths;
import org.lmshards.spark.shard.PartitionDocRanges;
import org.lmshards.spark.shard.ShardCommitter;
import org.lmshards.spark.shard.ShardGroups;
import org.lmshards.spark.shard.ShardPlan;
import org.lmshards.spark.shard.ShardResult;
import org.lmshards.spark.shard.ShardWriteTask;
import org.lmshards.spark.shard.SplitMetaJson;
import org.lmshards.spark.tokens.TokenBlock;
import org.lmshards.spark.tokens.TokenCounts;
import org.lmshards.spark.tokens.TokenizeTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;

/**
 * One run of the job: resolve inputs, claim the output, reuse it on a cache hit, otherwise
 * build the dataset in a staging directory next to the output and swap it into place.
 *
 * <p>Pipeline per split: read (one task per read unit, strict CSV) → range repartition when
 * there are too few units → tokenize into cached {@link TokenBlock}s, each partition holding
 * consecutive documents → collect per-document token counts → plan shards on the driver → one
 * task per shard numericalizes its documents from the cached blocks ({@link ShardGroups}, no
 * shuffle) and writes the shard → the driver commits one attempt per shard and writes
 * {@code meta.json}. The vocabulary comes
 * from a distributed count over the train blocks, or from {@code --vocab} (optionally extended
 * by that count). {@code _SUCCESS} is written last.
 */
final class DatasetBuild {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetBuild.class);
    private static final List<String> SPLITS = List.of("train", "valid");
    static final String FAULT_CONF = "spark.lmshards.fault.failFirstAttempt";
    static final String SLOW_CONF = "spark.lmshards.fault.slowFirstAttempt";
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

    /** A split's tokenized blocks (cached) and what the driver learned from them. */
    private record SplitData(String name, List<InputFile> files, List<InputUnit> units, JavaRDD<TokenBlock> blocks,
                             long docs, ShardPlan plan, PartitionDocRanges ranges, SplitRejects rejects) {
        /** The file a row (identified by its unit index) comes from. */
        String pathOf(int unit) {
            return files.get(units.get(unit).file()).path();
        }
    }

    @SuppressWarnings("try") // the output lock is held, not used
    int run() throws IOException {
        long t0 = System.nanoTime();
        Configuration hconf = jsc.hadoopConfiguration();
        Map<String, List<InputFile>> inputs = new LinkedHashMap<>();
        inputs.put("train", InputResolver.resolve("--train", settings.train(), hconf));
        if (settings.valid() != null) {
            inputs.put("valid", InputResolver.resolve("--valid", settings.valid(), hconf));
            // Validating on training data measures nothing: almost always a mistyped option.
            java.util.Set<String> trainFiles = new java.util.HashSet<>();
            inputs.get("train").forEach(f -> trainFiles.add(f.path()));
            for (InputFile f : inputs.get("valid")) {
                if (trainFiles.contains(f.path())) {
                    throw new UsageError("--train " + settings.train() + " and --valid " + settings.valid() + " both hold " + f.path()
                            + ": the validation split must not contain training data");
                }
            }
        }
        GivenVocabulary given = settings.vocab() == null ? null : GivenVocabulary.read(settings.vocab(), hconf);
        List<InputFile> allInputs = new ArrayList<>(inputs.values().stream().flatMap(List::stream).toList());
        if (given != null) {
            allInputs.add(given.file());   // a rebuild would delete a --vocab inside the output
        }
        StagedOutput out = new StagedOutput(settings.output(), runId, allInputs, hconf);
        FileSystem fs = out.fs();
        Path output = out.output();
        out.requireReplaceable();

        FastaiTokenizer tokenizer = TokenizeTask.tokenizer();
        Map<String, Object> tokenizerInfo = new LinkedHashMap<>();
        tokenizerInfo.put("name", tokenizer.name());
        tokenizerInfo.put("settings", tokenizer.settings());
        Map<String, Object> metaSettings = settings.metaSettings(given);
        List<DatasetCache.Expected> expected = new ArrayList<>();
        inputs.forEach((split, files) -> expected.add(
                new DatasetCache.Expected(split, DatasetCache.source(files), metaSettings, tokenizerInfo, LmShardsVersion.get())));

        try (OutputLock lock = OutputLock.acquire(fs, output)) {
            FaultInjection.haltPoint("locked");
            out.recoverAndClean();
            if (settings.force()) {
                LOG.info("--force: rebuilding {}", output);
            } else {
                String why = DatasetCache.mismatch(fs, output, expected, SPLITS);
                if (why == null) {
                    LOG.debug("Cache hit: {} already holds this dataset (same inputs, sizes, modification times and settings)", output);
                    System.out.println("cache hit: " + output + " is up to date (use --force to rebuild)");
                    return ExitCode.OK;
                }
                LOG.debug("Building {}: {}", output, why);
                System.out.println("building " + output + ": " + why);
            }
            out.createStaging();
            jsc.setJobGroup(jobGroup, "lmshards preprocess into " + output, false);
            try {
                Summary summary = build(out, inputs, given, tokenizerInfo, metaSettings, expected);
                FaultInjection.haltPoint("staged");
                // Again just before the old output goes: files may have been added to it while the job ran.
                out.requireReplaceable();
                out.swapIn();
                summary.print(output, (System.nanoTime() - t0) / 1e9);
            } catch (Throwable e) {
                // Throwable, not IOException | RuntimeException: a failed Spark action throws the checked
                // SparkException undeclared, and the staging directory must go in that case too.
                out.deleteStaging(e, () -> TaskDrain.await(jsc, jobGroup, DRAIN_TIMEOUT));
                throw e;
            } finally {
                jsc.clearJobGroup();
            }
            FaultInjection.haltPoint("done");
            return ExitCode.OK;
        }
    }

    private Summary build(StagedOutput out, Map<String, List<InputFile>> inputs, GivenVocabulary given,
                          Map<String, Object> tokenizerInfo, Map<String, Object> metaSettings, List<DatasetCache.Expected> expected)
            throws IOException {
        FileSystem fs = out.fs();
        Path staging = out.staging();
        FaultInjection fault = FaultInjection.fromSettings(jsc.getConf().get(FAULT_CONF, ""), jsc.getConf().get(SLOW_CONF, ""));
        Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(jsc.hadoopConfiguration()));
        long totalBytes = inputs.values().stream().flatMap(List::stream).mapToLong(InputFile::size).sum();
        int parts = settings.partitions() != null ? settings.partitions()
                : (int) Math.max(jsc.defaultParallelism(), Math.min(10_000, (totalBytes + (64 << 20) - 1) / (64 << 20)));
        LongAccumulator bytesRead = jsc.sc().longAccumulator("bytes read");
        LongAccumulator rowsRead = jsc.sc().longAccumulator("rows read");
        LongAccumulator tokens = jsc.sc().longAccumulator("tokens");
        LongAccumulator written = jsc.sc().longAccumulator("tokens written");
        long start = System.nanoTime();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lmshards-progress");
            t.setDaemon(true);
            return t;
        });
        progress.scheduleAtFixedRate(() -> {
            double s = (System.nanoTime() - start) / 1e9;
            LOG.info(String.format(Locale.ROOT, "progress: %,d rows, %.1f MB read (%.1f MB/s), %,d tokens, %,d tokens written",
                    rowsRead.value(), bytesRead.value() / 1e6, bytesRead.value() / 1e6 / s, tokens.value(), written.value()));
        }, 10, 10, TimeUnit.SECONDS);
        List<SplitData> data = new ArrayList<>();
        try {
            LOG.info("Reading {} input file(s), {} MB, with {} tokenizing partition(s)", inputs.values().stream().mapToInt(List::size).sum(),
                    String.format(Locale.ROOT, "%.1f", totalBytes / 1e6), parts);
            for (Map.Entry<String, List<InputFile>> e : inputs.entrySet()) {
                Path spool = RejectsFile.spoolDir(staging, e.getKey());
                StagingFence.open(fs, spool);
                data.add(tokenize(e.getKey(), e.getValue(), parts, conf.value(), spool, fault, bytesRead, rowsRead, tokens));
            }
            for (SplitData d : data) {
                checkUsable(d);
            }
            FaultInjection.haltPoint("tokenized");

            Vocabulary vocab = given == null ? buildVocabulary(data.get(0).blocks(), parts)
                    : givenVocabulary(given, data.get(0).blocks(), parts);
            byte[] vocabBytes;
            if (given != null && vocab == given.vocab()) {
                vocabBytes = given.bytes();   // the dataset's vocab.json is a byte copy of the given one
            } else {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                vocab.write(b);
                vocabBytes = b.toByteArray();
            }
            out.writeAtomically(new Path(staging, ShardLayout.VOCAB), vocabBytes);
            FaultInjection.haltPoint("vocab-written");
            Broadcast<byte[]> vocabJson = jsc.broadcast(vocabBytes);
            TokenDtype dtype = TokenDtype.forVocabSize(vocab.size());
            Map<String, Object> vocabSource = given == null ? null : given.source(vocab);

            Summary summary = new Summary(vocab.size(), vocabSource, totalBytes);
            for (SplitData d : data) {
                summary.add(d.name(), writeSplit(out, d, vocabJson, dtype, vocab.size(), conf, fault, written,
                        tokenizerInfo, metaSettings, vocabSource, expected));
            }
            for (SplitData d : data) {
                RejectsFile.write(fs, staging, d.name(), d.rejects());
            }
            FaultInjection.haltPoint("before-success");
            out.writeAtomically(new Path(staging, ShardLayout.SUCCESS), new byte[0]);
            return summary;
        } finally {
            progress.shutdownNow();
            for (SplitData d : data) {
                d.blocks().unpersist(false);
            }
        }
    }

    private SplitData tokenize(String split, List<InputFile> files, int parts, HadoopConf conf, Path spoolDir, FaultInjection fault,
                               LongAccumulator bytesRead, LongAccumulator rowsRead, LongAccumulator tokens) {
        boolean failFast = settings.onBadRow() == BadRowPolicy.fail;
        List<InputUnit> units = units(split, files, conf, parts);
        List<Integer> indices = IntStream.range(0, units.size()).boxed().toList();
        // One partition per unit: a whole file, or a range of a large file between record boundaries.
        JavaRDD<ParsedRow> rows = jsc.parallelize(indices, units.size())
                .mapPartitions(new ReadTask(split + "-read", files, units, conf, settings.header(), settings.column(), failFast, fault, bytesRead, rowsRead));
        if (units.size() < parts) {
            rows = spreadInByteRanges(rows, files, units, parts);
        }
        JavaRDD<TokenBlock> blocks = rows
                .mapPartitions(new TokenizeTask(split + "-tokenize", fault, tokens,
                        new RejectSpool(spoolDir.toString(), units.stream().map(u -> files.get(u.file()).path()).toList(), conf)))
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
        return new SplitData(split, files, units, blocks, docs, plan, ranges, rejects);
    }

    /**
     * Too few read units to keep every core busy: spreads the rows (a shuffle of the text) over
     * {@code parts} contiguous ranges of the split's bytes, sorted by position, so that every
     * partition still holds consecutive documents, as a unit does (the write stage relies on it).
     */
    private static JavaRDD<ParsedRow> spreadInByteRanges(JavaRDD<ParsedRow> rows, List<InputFile> files, List<InputUnit> units,
                                                         int parts) {
        long[] fileBase = new long[files.size()];
        for (int f = 1; f < files.size(); f++) {
            fileBase[f] = fileBase[f - 1] + files.get(f - 1).size();
        }
        long[] unitBase = new long[units.size()];
        for (int u = 0; u < units.size(); u++) {
            unitBase[u] = fileBase[units.get(u).file()];
        }
        long splitBytes = files.stream().mapToLong(InputFile::size).sum();
        return rows.mapToPair(r -> new Tuple2<>(unitBase[r.unit()] + r.offset(), r))
                .repartitionAndSortWithinPartitions(new RowRangePartitioner(parts, splitBytes))
                .values();
    }

    /**
     * The read units of a split: whole files, except that files over 1.5 read chunks are cut at
     * record boundaries found by a scanning pass (one task per large file), so that one huge
     * file is parsed by several tasks.
     */
    private List<InputUnit> units(String split, List<InputFile> files, HadoopConf conf, int parts) {
        long splitBytes = files.stream().mapToLong(InputFile::size).sum();
        long chunk = settings.readChunkBytes() != null ? settings.readChunkBytes()
                : Math.max(8L << 20, Math.min(64L << 20, splitBytes / (2L * parts)));
        List<Integer> large = IntStream.range(0, files.size()).filter(i -> files.get(i).size() > chunk + chunk / 2).boxed().toList();
        Map<Integer, List<InputUnit>> cut = new HashMap<>();
        if (!large.isEmpty()) {
            List<List<InputUnit>> scanned = jsc.parallelize(large, large.size()).map(new ScanTask(files, conf, chunk)).collect();
            for (List<InputUnit> l : scanned) {
                cut.put(l.get(0).file(), l);
            }
        }
        List<InputUnit> units = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            units.addAll(cut.getOrDefault(f, List.of(InputUnit.wholeFile(f))));
        }
        if (!large.isEmpty()) {
            LOG.info("{}: {} large file(s) cut into {} read units at record boundaries", split, large.size(), units.size());
        }
        return units;
    }

    private void checkUsable(SplitData d) {
        if (d.rejects().count() > 0 && settings.onBadRow() == BadRowPolicy.fail) {
            Reject r = d.rejects().first();
            throw new BadInputException(d.pathOf(r.unit()) + ": row " + r.row() + " (line " + r.line() + "): " + r.reason()
                    + " [--" + d.name() + " input; rerun with --on-bad-row skip to leave bad rows out and list them in rejects/]");
        }
        if (d.docs() == 0) {
            throw new BadInputException("--" + d.name() + " " + (d.name().equals("train") ? settings.train() : settings.valid()) + ": no documents ("
                    + (d.rejects().count() == 0 ? "the input is empty" : "all " + d.rejects().count() + " rows were rejected, the first: "
                    + d.pathOf(d.rejects().first().unit()) + " row " + d.rejects().first().row() + ": " + d.rejects().first().reason())
                    + ")");
        }
    }

    /**
     * The vocabulary of {@code --vocab}, with {@code --vocab-extend}'s new tokens: those of the
     * train split that a built vocabulary would admit ({@link BuildSettings#EXTEND_MIN_FREQ}), most common first.
     */
    private Vocabulary givenVocabulary(GivenVocabulary given, JavaRDD<TokenBlock> train, int parts) {
        int extend = settings.vocabExtend();
        if (extend == 0) {
            LOG.info("Vocabulary: {} tokens, given by {}", given.vocab().size(), given.file().path());
            return given.vocab();
        }
        Map<String, Long> frequent = TokenCounts.frequent(train, parts, BuildSettings.EXTEND_MIN_FREQ);
        Vocabulary vocab = given.vocab().extend(frequent, BuildSettings.EXTEND_MIN_FREQ, extend,
                (int) Math.min(Integer.MAX_VALUE, (long) given.vocab().maxVocab() + extend));
        LOG.info("Vocabulary: {} tokens, given by {} ({} entries) and extended with {} new train token(s) (at most {})",
                vocab.size(), given.file().path(), given.vocab().size(), given.addedTokens(vocab), extend);
        return vocab;
    }

    private Vocabulary buildVocabulary(JavaRDD<TokenBlock> train, int parts) {
        // Tokens under min_freq can never enter the vocabulary, so they stay on the executors.
        Map<String, Long> frequent = TokenCounts.frequent(train, parts, settings.minFreq());
        int minFreq = settings.minFreq();
        Vocabulary vocab = Vocabulary.build(frequent, settings.minFreq(), settings.maxVocab());
        LOG.info("Vocabulary: {} tokens ({} train tokens occur at least {} times)", vocab.size(), frequent.size(), minFreq);
        return vocab;
    }

    private SplitStats writeSplit(StagedOutput out, SplitData d, Broadcast<byte[]> vocabJson, TokenDtype dtype,
                                  int vocabSize, Broadcast<HadoopConf> conf, FaultInjection fault, LongAccumulator written,
                                  Map<String, Object> tokenizerInfo, Map<String, Object> metaSettings, Map<String, Object> vocabSource,
                                  List<DatasetCache.Expected> expected) throws IOException {
        FileSystem fs = out.fs();
        Path staging = out.staging();
        ShardPlan plan = d.plan();
        Broadcast<ShardPlan> bplan = jsc.broadcast(plan);
        Path splitDir = new Path(staging, d.name());
        Path tmp = new Path(staging, "_temporary-" + d.name());
        StagingFence.open(fs, tmp);
        // One task per shard reads the cached blocks holding its documents (a narrow dependency: no shuffle).
        ShardGroups groups = ShardGroups.of(plan, d.ranges().first(), d.ranges().end());
        RDD<TokenBlock> byShard = d.blocks().rdd().coalesce(groups.numShards(), false, Option.apply(groups), null);
        List<ShardResult> results = JavaRDD.fromRDD(byShard, d.blocks().classTag())
                .mapPartitionsWithIndex(new ShardWriteTask(d.name(), tmp.toString(), dtype, vocabJson, bplan, conf, fault, written), false)
                .collect();
        // A speculative attempt that lost (or a sibling of a retried one) may still be running: it
        // writes only attempt-unique files, but must be done before the temporary directory goes.
        if (!TaskDrain.await(jsc, jobGroup, DRAIN_TIMEOUT)) {
            LOG.warn("{}: committing while unneeded task attempts are still running; their files are discarded", d.name());
        }
        FaultInjection.haltPoint(d.name() + "-shards-written");
        List<ShardMeta> shards = ShardCommitter.commit(fs, splitDir, tmp, plan, results);
        long unknown = results.stream().mapToLong(ShardResult::unknownTokens).sum();
        DatasetCache.Expected e = expected.stream().filter(x -> x.split().equals(d.name())).findFirst().orElseThrow();
        SplitMeta meta = SplitMeta.ofCurrentFormat(d.name(), dtype.metaName(), vocabSize, plan.totalTokens(),
                plan.totalDocs(), shards, tokenizerInfo, e.source(), metaSettings, d.rejects().count(), Instant.now().toString(),
                LmShardsVersion.get());
        out.writeAtomically(new Path(splitDir, ShardLayout.META), SplitMetaJson.withVocabFields(meta, unknown, vocabSource));
        FaultInjection.haltPoint(d.name() + "-meta-written");
        return new SplitStats(plan.totalDocs(), plan.totalTokens(), unknown, plan.numShards(), d.rejects().count());
    }

    record SplitStats(long docs, long tokens, long unknown, int shards, long rejected) {
    }

    /** The end-of-run report. */
    static final class Summary {
        private final int vocabSize;
        private final Map<String, Object> vocabSource;
        private final long inputBytes;
        private final Map<String, SplitStats> splits = new LinkedHashMap<>();

        /** @param vocabSource meta.json's {@code vocab_source}, null for a built vocabulary */
        Summary(int vocabSize, Map<String, Object> vocabSource, long inputBytes) {
            this.vocabSize = vocabSize;
            this.vocabSource = vocabSource;
            this.inputBytes = inputBytes;
        }

        void add(String split, SplitStats s) {
            splits.put(split, s);
        }

        void print(Path output, double seconds) {
            StringBuilder b = new StringBuilder();
            b.append("lmshards preprocess: wrote ").append(output).append('\n');
            splits.forEach((name, s) -> b.append(String.format(Locale.ROOT,
                    "  %-5s: %,d documents, %,d tokens, %d shard(s), out-of-vocabulary rate %.3f%% (%,d xxunk), %,d rejected row(s)%n",
                    name, s.docs(), s.tokens(), s.shards(), 100.0 * SplitMetaJson.oovRate(s.unknown(), s.tokens()), s.unknown(),
                    s.rejected())));
            b.append(String.format(Locale.ROOT, "  vocabulary: %,d tokens%s%n", vocabSize, vocabSource == null ? ""
                    : String.format(Locale.ROOT, ", given by %s (%,d entries, %,d new token(s) added)", vocabSource.get("path"),
                    (Integer) vocabSource.get("size"), (Long) vocabSource.get("added_tokens"))));
            b.append(String.format(Locale.ROOT, "  time: %.1f s, input %.1f MB, %.2f MB/s%n", seconds, inputBytes / 1e6,
                    inputBytes / 1e6 / Math.max(seconds, 1e-9)));
            System.out.print(b);
            System.out.flush();
            LOG.debug("{}", b.toString().trim()); // printed once, on stdout
        }
    }
}
