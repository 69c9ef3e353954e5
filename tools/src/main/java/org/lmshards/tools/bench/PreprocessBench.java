package org.lmshards.tools.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.lmshards.core.tokenize.ChunkMemo;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.spark.csv.CsvRecord;
import org.lmshards.spark.csv.StrictCsvReader;
import org.lmshards.spark.csv.Utf8;
import org.lmshards.tools.synth.SyntheticCorpus;

/**
 * Throughput of the Spark preprocessing job at {@code local[1]} and {@code local[2]} against
 * the bare single-threaded {@link FastaiTokenizer} (the ceiling), on one synthetic corpus.
 * Not a test: it prints figures for docs/BENCHMARKS.md.
 *
 * <pre>
 * java -Xmx3g [the job's JVM options, as in docs/BENCHMARKS.md] -cp tools/target/lmshards-tools.jar:$(cat spark-jobs/target/spark-classpath.txt) \
 *     org.lmshards.tools.bench.PreprocessBench [--mb 500] [--dir cache/bench] [--cores 1,2] [--heap 3g] [--seed 42] [--rounds 3] [--batch-mb 250] [--plain true]
 * </pre>
 *
 * The corpus is generated once and kept in {@code --dir}. The shared machines drift by 10-20%
 * within minutes, so the comparison runs in {@code --rounds} rounds: each measures the ceiling
 * (the bare tokenizer over the articles held in memory, in batches of {@code --batch-mb} MB of
 * text so that memory stays bounded, with 1 and 2 threads, each thread with
 * a {@link ChunkMemo} for the whole corpus as the job has one per block; and, for reference,
 * without a memo on 1 thread) and then the
 * job at each {@code --cores} value; ratios are taken within a round and their medians printed,
 * and, as a second estimate, the ratios of each configuration's best round (contention only ever
 * slows a run down). Each Spark run is a fresh JVM
 * (the job's {@code main}, master {@code local[N]}), timed from launch to exit, so the figures
 * include Spark's start-up; a run on a 1 MB corpus measures that start-up separately. The job
 * JVMs get the options {@code ./submit.sh} gives the job ({@code spark.driver.extraJavaOptions}
 * of {@code conf/spark-defaults.conf}, read from the working directory).
 * MB are 10^6 bytes of CSV input.
 */
public final class PreprocessBench {
    private static final double MB = 1_000_000.0;
    private static final String JOB = "org.lmshards.spark.PreprocessJob";
    /** The job's own JVM options, as ./submit.sh passes them: spark.driver.extraJavaOptions of conf/spark-defaults.conf. */
    private static final List<String> JOB_JVM_OPTIONS = driverOptions(Paths.get("conf", "spark-defaults.conf"));

    private PreprocessBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        double mb = Double.parseDouble(opt.getOrDefault("--mb", "500"));
        long seed = Long.parseLong(opt.getOrDefault("--seed", String.valueOf(SyntheticCorpus.DEFAULT_SEED)));
        Path dir = Paths.get(opt.getOrDefault("--dir", "cache/bench")).toAbsolutePath();
        String heap = opt.getOrDefault("--heap", "3g");
        int rounds = Integer.parseInt(opt.getOrDefault("--rounds", "3"));
        long batchChars = Math.round(Double.parseDouble(opt.getOrDefault("--batch-mb", "250")) * MB);
        boolean plain = Boolean.parseBoolean(opt.getOrDefault("--plain", "true"));
        List<Integer> cores = new ArrayList<>();
        for (String c : opt.getOrDefault("--cores", "1,2").split(",")) {
            cores.add(Integer.parseInt(c.trim()));
        }

        Path corpus = corpus(dir, mb, seed);
        Path small = corpus(dir, 1, seed);
        double inputMb = Files.size(corpus) / MB;
        say("corpus %s: %.1f MB", corpus, inputMb);
        say("machine: %d cores, load average before: %s; job JVM options from conf/spark-defaults.conf: %s",
                Runtime.getRuntime().availableProcessors(), loadAverage(), JOB_JVM_OPTIONS);
        List<String> own = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> missing = JOB_JVM_OPTIONS.stream().filter(o -> !own.contains(o)).toList();
        if (!missing.isEmpty()) {
            // The ceiling runs in this JVM: with other options than the job's, the ratio compares two configurations.
            say("WARNING: this JVM (the ceiling) lacks the job's options %s; start the bench with them (docs/BENCHMARKS.md)", missing);
        }

        // Reference: one thread streaming the CSV, timing the tokenize calls (and the whole loop).
        Baseline bare = bareTokenizer(corpus);
        say("bare FastaiTokenizer, 1 thread, streaming: %,d documents, %,d tokens; tokenize %.1f s = %.2f MB/s; "
                + "with CSV parsing %.1f s = %.2f MB/s (load %s)",
                bare.docs, bare.tokens, bare.tokenizeSeconds, inputMb / bare.tokenizeSeconds,
                bare.totalSeconds, inputMb / bare.totalSeconds, loadAverage());
        double startup = runJob(small, dir.resolve("out-startup"), 1, heap, dir.resolve("job-startup.log"));
        say("job start-up and 1 MB at local[1]: %.1f s", startup);

        // The machine's speed drifts by 10-20% within minutes (a shared host): every round measures
        // the ceiling (the bare tokenizer over the articles in memory, 1 and maxCores threads) right
        // before the job runs it is compared with, and the ratios are taken within a round.
        int maxCores = cores.stream().mapToInt(Integer::intValue).max().orElse(1);
        List<Round> results = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            Ceiling c = ceiling(corpus, maxCores, batchChars, plain);
            double[] bareSeconds = c.memoSeconds();
            double plainSeconds = c.plainSeconds();
            say("round %d: bare FastaiTokenizer in memory (batches of %,d chars), chunk memo per thread: 1 thread %.1f s, "
                    + "%d threads %.1f s; without the memo, 1 thread %.1f s (load %s)",
                    r, batchChars, bareSeconds[0], maxCores, bareSeconds[maxCores - 1], plainSeconds, loadAverage());
            Map<Integer, Double> jobSeconds = new LinkedHashMap<>();
            for (int n : cores) {
                double sec = runJob(corpus, dir.resolve("out-local" + n), n, heap, dir.resolve("job-local" + n + "-round" + r + ".log"));
                jobSeconds.put(n, sec);
                say("round %d: spark job local[%d]: %.1f s = %.2f MB/s (load %s)", r, n, sec, inputMb / sec, loadAverage());
            }
            results.add(new Round(bareSeconds, plainSeconds, jobSeconds));
        }

        System.out.println();
        System.out.println("| round | bare 1 thread s | bare " + maxCores + " threads s | "
                + String.join(" | ", cores.stream().map(n -> "local[" + n + "] s").toList())
                + " | local[1] / bare per core | local[1] / bare, without start-up | local[2]/local[1] scaling | bare scaling"
                + " | bare 1 thread without memo s |");
        System.out.println("|---:|---:|---:|" + "---:|".repeat(cores.size()) + "---:|---:|---:|---:|---:|");
        List<Double> efficiency = new ArrayList<>();
        List<Double> efficiencyNoStart = new ArrayList<>();
        List<Double> scaling = new ArrayList<>();
        List<Double> bareScaling = new ArrayList<>();
        List<Double> memoGain = new ArrayList<>();
        for (int r = 0; r < results.size(); r++) {
            Round round = results.get(r);
            double bare1 = round.bareSeconds()[0];
            Double local1 = round.jobSeconds().get(1);
            Double local2 = round.jobSeconds().get(2);
            double eff = local1 == null ? Double.NaN : bare1 / local1;
            double effNoStart = local1 == null ? Double.NaN : bare1 / (local1 - startup);
            double sc = local1 == null || local2 == null ? Double.NaN : local1 / local2;
            double bsc = maxCores < 2 ? Double.NaN : bare1 / round.bareSeconds()[1];
            efficiency.add(eff);
            efficiencyNoStart.add(effNoStart);
            scaling.add(sc);
            bareScaling.add(bsc);
            memoGain.add(round.plainSeconds() / bare1);
            System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %s | %.2f | %.2f | %.2f | %.2f | %.1f |%n", r + 1, bare1,
                    round.bareSeconds()[maxCores - 1],
                    String.join(" | ", round.jobSeconds().values().stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList()),
                    eff, effNoStart, sc, bsc, round.plainSeconds());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "median over %d round(s): local[1] vs bare tokenizer per core %.2f (%.2f without the %.1f s "
                + "start-up; target >= 0.70); local[2]/local[1] %.2f (target >= 1.8); the bare tokenizer's own scaling %.2f%n",
                rounds, median(efficiency), median(efficiencyNoStart), startup, median(scaling), median(bareScaling));
        if (plain) {
            System.out.printf(Locale.ROOT, "the chunk memo: the bare tokenizer without it takes %.2f times as long (median)%n", median(memoGain));
        }
        // Contention from other guests only ever slows a run down, so each configuration's fastest
        // round is its least disturbed one: the ratios of the best times are the second estimate.
        double bestBare1 = results.stream().mapToDouble(x -> x.bareSeconds()[0]).min().orElse(Double.NaN);
        double bestBareMax = results.stream().mapToDouble(x -> x.bareSeconds()[maxCores - 1]).min().orElse(Double.NaN);
        double bestLocal1 = best(results, 1);
        double bestLocal2 = best(results, 2);
        System.out.printf(Locale.ROOT, "best of %d round(s): bare 1 thread %.1f s, %d threads %.1f s, local[1] %.1f s, local[2] %.1f s: "
                + "local[1] vs bare tokenizer per core %.2f (%.2f without start-up); local[2]/local[1] %.2f; the bare tokenizer's "
                + "own scaling %.2f%n", rounds, bestBare1, maxCores, bestBareMax, bestLocal1, bestLocal2, bestBare1 / bestLocal1,
                bestBare1 / (bestLocal1 - startup), bestLocal1 / bestLocal2, bestBare1 / bestBareMax);
        System.out.printf(Locale.ROOT, "streaming reference: tokenize only %.2f MB/s, CSV parse + tokenize %.2f MB/s; load average after: %s%n",
                inputMb / bare.tokenizeSeconds, inputMb / bare.totalSeconds, loadAverage());
    }

    private record Round(double[] bareSeconds, double plainSeconds, Map<Integer, Double> jobSeconds) {
    }

    private static double best(List<Round> rounds, int cores) {
        return rounds.stream().map(r -> r.jobSeconds().get(cores)).filter(java.util.Objects::nonNull)
                .mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double median(List<Double> values) {
        List<Double> v = values.stream().filter(x -> !x.isNaN()).sorted().toList();
        if (v.isEmpty()) {
            return Double.NaN;
        }
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private record Baseline(long docs, long tokens, double tokenizeSeconds, double totalSeconds) {
    }

    private static Baseline bareTokenizer(Path corpus) throws IOException {
        FastaiTokenizer tokenizer = FastaiTokenizer.defaults();
        ChunkMemo<String[]> memo = new ChunkMemo<>();
        long[] count = new long[1];
        // warm-up on the first documents, so that the figure is the JIT-compiled speed, as in Spark
        try (Articles in = new Articles(corpus)) {
            String doc;
            for (int i = 0; i < 300 && (doc = in.next()) != null; i++) {
                tokenizer.tokenize(doc, memo, t -> count[0]++);
            }
        }
        count[0] = 0;
        long docs = 0;
        long tokenizeNanos = 0;
        long t0 = System.nanoTime();
        try (Articles in = new Articles(corpus)) {
            String doc;
            while ((doc = in.next()) != null) {
                long s = System.nanoTime();
                tokenizer.tokenize(doc, memo, t -> count[0]++);
                tokenizeNanos += System.nanoTime() - s;
                docs++;
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        return new Baseline(docs, count[0], tokenizeNanos / 1e9, total);
    }

    /**
     * The first field of each record of a CSV file, read as the job reads its input: the job's
     * {@link StrictCsvReader} and strict UTF-8 ({@link Utf8}). A malformed record fails the bench
     * (the input is the generator's own output).
     */
    private static final class Articles implements Closeable {
        private final Path file;
        private final InputStream in;
        private final StrictCsvReader reader;
        private final Utf8 utf8 = new Utf8();

        Articles(Path file) throws IOException {
            this.file = file;
            this.in = Files.newInputStream(file);
            this.reader = new StrictCsvReader(in);
        }

        /** The next record's first field, or null at the end of the file. */
        String next() throws IOException {
            CsvRecord r = reader.next();
            if (r == null) {
                return null;
            }
            if (r.malformed() != null) {
                throw new IOException(file + ": record " + r.row() + " (line " + r.line() + "): " + r.malformed());
            }
            Utf8.Decoded d = utf8.decode(r.bytes(), r.fieldStart(0), r.fieldEnd(0) - r.fieldStart(0));
            if (d.text() == null) {
                throw new IOException(file + ": record " + r.row() + " (line " + r.line() + "): invalid UTF-8");
            }
            return d.text();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private record Ceiling(double[] memoSeconds, double plainSeconds) {
    }

    /**
     * The ceiling: wall seconds of the bare tokenizer over every article, held in memory, with
     * 1..maxThreads threads and a chunk memo per thread for the whole corpus (index t holds t+1
     * threads; articles dealt round-robin), and with 1 thread without a memo when {@code plain}
     * (NaN otherwise). The articles are
     * loaded in batches of about {@code batchChars} characters (parsing untimed) and every
     * variant tokenizes each batch before the next is loaded, so memory stays bounded whatever
     * the corpus size (a 1000 MB corpus held whole in a 6 GB heap made the tokenizer slower than
     * streaming it). No warm-up of its own: the streaming reference has run the tokenizer over
     * the whole corpus before.
     */
    private static Ceiling ceiling(Path corpus, int maxThreads, long batchChars, boolean plain) throws Exception {
        FastaiTokenizer tokenizer = FastaiTokenizer.defaults();
        List<List<ChunkMemo<String[]>>> memos = new ArrayList<>();   // per thread count, one memo per thread
        for (int threads = 1; threads <= maxThreads; threads++) {
            List<ChunkMemo<String[]>> m = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                m.add(new ChunkMemo<>());
            }
            memos.add(m);
        }
        long[] memoNanos = new long[maxThreads];
        long plainNanos = 0;
        ExecutorService pool = Executors.newFixedThreadPool(maxThreads);
        try (Articles in = new Articles(corpus)) {
            List<String> batch = new ArrayList<>();
            boolean more = true;
            while (more) {
                batch.clear();
                long chars = 0;
                String doc = null;
                while (chars < batchChars && (doc = in.next()) != null) {
                    batch.add(doc);
                    chars += doc.length();
                }
                more = doc != null;
                for (int threads = 1; threads <= maxThreads; threads++) {
                    memoNanos[threads - 1] += tokenizeBatch(pool, tokenizer, batch, memos.get(threads - 1));
                }
                if (plain) {
                    plainNanos += tokenizeBatch(pool, tokenizer, batch, Collections.singletonList(null));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        double[] seconds = new double[maxThreads];
        for (int t = 0; t < maxThreads; t++) {
            seconds[t] = memoNanos[t] / 1e9;
        }
        return new Ceiling(seconds, plain ? plainNanos / 1e9 : Double.NaN);
    }

    /** Nanoseconds for {@code memos.size()} threads to tokenize the batch; a null memo means none. */
    private static long tokenizeBatch(ExecutorService pool, FastaiTokenizer tokenizer, List<String> batch,
                                      List<ChunkMemo<String[]>> memos) throws Exception {
        int n = memos.size();
        long t0 = System.nanoTime();
        List<Future<Long>> parts = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int first = t;
            ChunkMemo<String[]> memo = memos.get(t);
            parts.add(pool.submit(() -> {
                long[] count = new long[1];
                for (int i = first; i < batch.size(); i += n) {
                    if (memo != null) {
                        tokenizer.tokenize(batch.get(i), memo, tok -> count[0]++);
                    } else {
                        tokenizer.tokenize(batch.get(i), tok -> count[0]++);
                    }
                }
                return count[0];
            }));
        }
        for (Future<Long> f : parts) {
            f.get();
        }
        return System.nanoTime() - t0;
    }

    /** Runs the job in a fresh JVM; returns wall seconds; fails on a non-zero exit. */
    private static double runJob(Path train, Path out, int cores, String heap, Path log) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-XX:+IgnoreUnrecognized")
                    || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
                cmd.add(a);   // the Java 17 flags Spark needs, as given to this JVM
            }
        }
        cmd.addAll(JOB_JVM_OPTIONS);
        cmd.addAll(List.of("-Xmx" + heap, "-Dspark.master=local[" + cores + "]", "-Dspark.ui.enabled=false",
                "-cp", System.getProperty("java.class.path"), JOB,
                "--train", train.toString(), "--output", out.toString(), "--force"));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(2, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IllegalStateException("job did not finish in 2 h; see " + log);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException("job exited with " + p.exitValue() + "; see " + log + ":\n"
                    + new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
        }
        return s;
    }

    private static List<String> driverOptions(Path conf) {
        if (!Files.isRegularFile(conf)) {
            return List.of();
        }
        try {
            for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
                String l = line.replaceAll("#.*", "").trim();
                if (l.startsWith("spark.driver.extraJavaOptions")) {
                    String v = l.substring("spark.driver.extraJavaOptions".length()).trim().replaceFirst("^=", "").trim();
                    return v.isEmpty() ? List.of() : List.of(v.split("\\s+"));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return List.of();
    }

    private static Path corpus(Path dir, double mb, long seed) throws IOException {
        Path file = dir.resolve(String.format(Locale.ROOT, "synthetic-%smb-seed%d", trim(mb), seed)).resolve("train.csv");
        if (!Files.isRegularFile(file)) {
            say("generating %s (once; kept for later runs) ...", file);
            long t0 = System.nanoTime();
            SyntheticCorpus.writeCsv(file, seed, Math.round(mb * MB));
            say("generated in %.1f s", (System.nanoTime() - t0) / 1e9);
        }
        return file;
    }

    private static String trim(double mb) {
        return mb == Math.rint(mb) ? String.valueOf((long) mb) : String.valueOf(mb);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: PreprocessBench [--mb 500] [--dir cache/bench] [--cores 1,2] [--heap 3g] [--seed 42] [--rounds 3] [--batch-mb 250] [--plain true]");
            }
            m.put(args[i], args[++i]);
        }
        return m;
    }

    private static void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, "bench: " + format + "%n", args);
    }
}
