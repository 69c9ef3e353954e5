package org.lmshards.spark;

import org.lmshards.core.ExitCode;
import org.lmshards.spark.support.UsageError;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.lmshards.core.LmShardsVersion;
import org.lmshards.core.tokenize.SpecialTokens;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.csv.TextColumn;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Spark application: CSV corpora to a token-shard dataset (docs/FORMAT.md, docs/SPARK.md).
 * Exit codes: 0 done or cache hit, 1 internal failure, 2 usage, 3 bad input ({@link JobExitCodes}).
 */
@Command(name = "PreprocessJob", mixinStandardHelpOptions = true, versionProvider = PreprocessJob.Version.class,
        description = "Tokenizes CSV corpora with Spark and writes a memory-mappable token-shard dataset.",
        exitCodeOnInvalidInput = ExitCode.USAGE, exitCodeOnExecutionException = ExitCode.INTERNAL)
public final class PreprocessJob implements Callable<Integer> {
    /** Default target tokens per shard: 16 Mi tokens, 32 MiB per uint16 shard. */
    public static final long DEFAULT_SHARD_TOKENS = 16L << 20;

    @Option(names = "--train", required = true, paramLabel = "PATH",
            description = "Training CSV: a file, a directory of *.csv or a glob, on any Hadoop filesystem (file:, hdfs:, s3a:).")
    String train;

    @Option(names = "--valid", paramLabel = "PATH", description = "Validation CSV (optional), like --train.")
    String valid;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "The dataset directory to write.")
    String output;

    @Option(names = "--text-column", defaultValue = "0", paramLabel = "COL",
            description = "The text column: 0-based index or header name (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--header", description = "The files start with a header row (default: no header, like WikiText).")
    boolean header;

    @Option(names = "--min-freq", defaultValue = "" + Vocabulary.DEFAULT_MIN_FREQ, paramLabel = "N",
            description = "Minimum train-split frequency of a vocabulary token (default: ${DEFAULT-VALUE}).")
    int minFreq;

    @Option(names = "--max-vocab", defaultValue = "" + Vocabulary.DEFAULT_MAX_VOCAB, paramLabel = "N",
            description = "Maximum vocabulary size (default: ${DEFAULT-VALUE}).")
    int maxVocab;

    @Option(names = "--vocab", paramLabel = "PATH",
            description = "Numericalize with this vocab.json (any Hadoop path) instead of building one; excludes --min-freq and --max-vocab.")
    String vocab;

    @Option(names = "--vocab-extend", paramLabel = "N",
            description = "With --vocab: add up to N new train tokens occurring at least " + Vocabulary.DEFAULT_MIN_FREQ
                    + " times after the given ones (default: none).")
    Integer vocabExtend;

    @Option(names = "--shard-tokens", defaultValue = "" + DEFAULT_SHARD_TOKENS, paramLabel = "N",
            description = "Target tokens per shard; a shard closes at the first document end at or past it (default: ${DEFAULT-VALUE}).")
    long shardTokens;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Tokenizing partitions (default: max(Spark's default parallelism, input size / 64 MiB)). Does not change the output.")
    Integer partitions;

    @Option(names = "--on-bad-row", defaultValue = "fail", paramLabel = "fail|skip",
            description = "fail: stop with exit code 3 naming the first bad row; skip: leave bad rows out and list them in rejects/ (default: ${DEFAULT-VALUE}).")
    BadRowPolicy onBadRow;

    @Option(names = "--read-chunk-bytes", paramLabel = "N",
            description = "Files larger than 1.5 x N are parsed by several tasks, cut at record boundaries about every N bytes "
                    + "(default: split size / (2 x partitions), between 8 and 64 MiB). Does not change the output.")
    Long readChunkBytes;

    @Option(names = "--force", description = "Rebuild even if the output already holds this dataset.")
    boolean force;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        FatalErrorHalt.install();
        System.exit(run(args));
    }

    /**
     * Runs the job and returns its exit code. Uses the SparkContext of the active SparkSession
     * when there is one (tests, an application embedding the job), otherwise gets or creates a
     * SparkContext (spark-submit, submit.sh): master from the Spark configuration
     * ({@code spark.master}), {@code local[*]} when none is set; it is stopped at the end.
     */
    public static int run(String[] args) {
        CommandLine cl = new CommandLine(new PreprocessJob());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // A later option wins, so that wrappers can pass defaults (conf/) that users then override.
        cl.setOverwrittenOptionsAllowed(true);
        // A bad command line is its cause and a pointer to --help, not the whole usage text under which it scrolls away.
        cl.setParameterExceptionHandler((ex, args1) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run './submit.sh --help' (or PreprocessJob --help) for the options.");
            err.flush();
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            err.println("error: " + describe(ex));
            if ("1".equals(System.getenv("LMSHARDS_DEBUG"))) {
                ex.printStackTrace(err);
            } else {
                LoggerFactory.getLogger(PreprocessJob.class).debug("The job failed", ex);
            }
            err.flush();
            return JobExitCodes.forException(ex);
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        BuildSettings settings = settings();
        SparkSession session = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
                : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        SparkContext sc;
        if (session != null) {
            sc = session.sparkContext();
        } else {
            SparkConf conf = new SparkConf().setAppName("lmshards-preprocess");
            if (!conf.contains("spark.master")) {
                conf.setMaster("local[*]");
            }
            // A plain SparkContext: the job uses RDDs only, and a SparkSession (Spark SQL's
            // catalog, session state and its classes) added 1.3 s to every run's start-up.
            sc = SparkContext.getOrCreate(conf);
        }
        try {
            return new DatasetBuild(sc, settings).run();
        } finally {
            if (session == null) {
                sc.stop();
            }
        }
    }

    /** The options as the run's settings; a {@link UsageError} for a value or combination the job refuses. */
    BuildSettings settings() {
        // one message per option, naming the one at fault (issue 25: all five were listed)
        requirePositive("--min-freq", minFreq);
        requirePositive("--max-vocab", maxVocab);
        requirePositive("--shard-tokens", shardTokens);
        if (readChunkBytes != null) {
            requirePositive("--read-chunk-bytes", readChunkBytes);
        }
        if (partitions != null) {
            requirePositive("--partitions", partitions);
        }
        requireHadoopPath("--output", output);
        if (maxVocab < SpecialTokens.ALL.size()) {
            // Checked here, not after tokenizing everything: the nine special tokens must keep their ids (docs/FORMAT.md).
            throw new UsageError("--max-vocab " + maxVocab + " is too small: the vocabulary starts with the "
                    + SpecialTokens.ALL.size() + " special tokens, so it must be at least " + SpecialTokens.ALL.size());
        }
        checkVocabOptions();
        TextColumn column;
        try {
            column = TextColumn.parse(textColumn);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        if (column.byName() && !header) {
            throw new UsageError("--text-column " + column.name() + " names a column, which needs --header");
        }
        return new BuildSettings(train, valid, output, column, header, minFreq, maxVocab, vocab,
                vocabExtend == null ? 0 : vocabExtend, shardTokens, partitions, onBadRow, readChunkBytes, force);
    }

    private static void requirePositive(String option, long value) {
        if (value < 1) {
            throw new UsageError(option + " must be positive, got " + value);
        }
    }

    /** A path Hadoop cannot parse ({@code a:b} reads as a URI scheme) ended as exit 1 with a raw URISyntaxException. */
    private static void requireHadoopPath(String option, String path) {
        org.apache.hadoop.fs.Path p;
        try {
            p = new org.apache.hadoop.fs.Path(path);
        } catch (IllegalArgumentException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new UsageError(option + " " + path + " is not a valid path (" + cause.getMessage() + "): a ':' in a name"
                    + " reads as a URI scheme such as hdfs:; choose a name without ':'");
        }
        if (p.getName().contains(":")) {
            // the staging and set-aside names beside it (".NAME.staging-...") would not parse
            throw new UsageError(option + " " + path + ": the directory name " + p.getName() + " contains ':', which"
                    + " Hadoop reads as a URI scheme in the names the job creates beside it; choose a name without ':'");
        }
    }

    /**
     * A given vocabulary is used as it is, so the options that shape a built one contradict it.
     * They count as given only on the command line: picocli's defaults (and submit.sh, which
     * leaves job.conf's min-freq and max-vocab out with --vocab) do not.
     */
    private void checkVocabOptions() {
        if (vocab == null) {
            if (vocabExtend != null) {
                throw new UsageError("--vocab-extend needs --vocab (it extends a given vocabulary)");
            }
            return;
        }
        for (String name : new String[] {"--min-freq", "--max-vocab"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
                throw new UsageError(name + " cannot be combined with --vocab: the given vocabulary is used as it is"
                        + " (--vocab-extend N adds new tokens that occur at least " + Vocabulary.DEFAULT_MIN_FREQ + " times)");
            }
        }
        if (vocabExtend != null && vocabExtend < 0) {
            throw new UsageError("--vocab-extend must not be negative: " + vocabExtend);
        }
    }

    /**
     * One line for the user. Spark wraps a task's failure in "Job aborted due to stage failure"
     * with the remote stack trace in the message, so the message the job itself wrote is
     * searched in the causes: bad input, then an I/O failure naming its file; otherwise the
     * innermost cause. Stack traces go to the log at DEBUG (or stderr with LMSHARDS_DEBUG=1).
     */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.lmshards.core.BadInput && c.getMessage() != null) {
                return firstLine(c.getMessage());
            }
        }
        Throwable root = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.lmshards.spark.io.FileIoError) {
                return firstLine(c.getMessage());
            }
            root = c;
        }
        if (root == t || root.getMessage() == null || root.getMessage().isBlank()) {
            String msg = t.getMessage();
            return msg == null || msg.isBlank() ? t.getClass().getName() : firstLine(msg);
        }
        return root.getClass().getSimpleName() + ": " + firstLine(root.getMessage());
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Supplies {@code --version} from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lmshards " + LmShardsVersion.get()};
        }
    }
}
