package org.lmshards.spark.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.lmshards.core.synth.SyntheticCorpus;
import org.lmshards.core.tokenize.FastaiTokenizer;

/**
 * Throughput of the Spark preprocessing job at {@code local[1]} and {@code local[2]} against
 * the bare single-threaded {@link FastaiTokenizer} (the ceiling), on one synthetic corpus.
 * Not a test: it prints figures for docs/BENCHMARKS.md.
 *
 * <pre>
 * java -Xmx3g -XX:+UseParallelGC -cp spark-jobs/target/lmshards-spark.jar:$(cat spark-jobs/target/spark-classpath.txt) \
 *     org.lmshards.spark.bench.PreprocessBench [--mb 500] [--dir cache/bench] [--cores 1,2] [--heap 3g] [--seed 42]
 * </pre>
 *
 * The corpus is generated once and kept in {@code --dir}. Each Spark run is a fresh JVM
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

        // The ceiling: one thread, nothing but CSV parsing and the tokenizer.
        Baseline bare = bareTokenizer(corpus);
        say("bare FastaiTokenizer, 1 thread: %,d documents, %,d tokens; tokenize %.1f s = %.2f MB/s; "
                + "with CSV parsing %.1f s = %.2f MB/s (load %s)",
                bare.docs, bare.tokens, bare.tokenizeSeconds, inputMb / bare.tokenizeSeconds,
                bare.totalSeconds, inputMb / bare.totalSeconds, loadAverage());
        // What the machine itself gives a second thread: the same tokenizing, in memory, by 1 and
        // by 2 threads (shared caches, memory bandwidth, or SMT siblings behind the vCPUs).
        double[] inMemory = bareInMemory(corpus, cores.stream().mapToInt(Integer::intValue).max().orElse(1));
        say("bare FastaiTokenizer in memory: 1 thread %.1f s, %d threads %.1f s: scaling %.2f (load %s)",
                inMemory[0], inMemory.length, inMemory[inMemory.length - 1], inMemory[0] / inMemory[inMemory.length - 1],
                loadAverage());

        double startup = runJob(small, dir.resolve("out-startup"), 1, heap, dir.resolve("job-startup.log"));
        say("job start-up and 1 MB at local[1]: %.1f s", startup);

        Map<Integer, Double> seconds = new LinkedHashMap<>();
        for (int n : cores) {
            double s = runJob(corpus, dir.resolve("out-local" + n), n, heap, dir.resolve("job-local" + n + ".log"));
            seconds.put(n, s);
            say("spark job local[%d]: %.1f s = %.2f MB/s (%.2f MB/s without start-up); load %s",
                    n, s, inputMb / s, inputMb / (s - startup), loadAverage());
        }

        System.out.println();
        System.out.println("| run | seconds | input MB/s | MB/s per core | vs bare tokenizer per core |");
        System.out.println("|---|---:|---:|---:|---:|");
        double bareMbps = inputMb / bare.tokenizeSeconds;
        System.out.printf(Locale.ROOT, "| bare FastaiTokenizer, 1 thread (tokenize only) | %.1f | %.2f | %.2f | 1.00 |%n",
                bare.tokenizeSeconds, bareMbps, bareMbps);
        System.out.printf(Locale.ROOT, "| bare FastaiTokenizer, 1 thread (CSV parse + tokenize) | %.1f | %.2f | %.2f | %.2f |%n",
                bare.totalSeconds, inputMb / bare.totalSeconds, inputMb / bare.totalSeconds, bare.tokenizeSeconds / bare.totalSeconds);
        for (Map.Entry<Integer, Double> e : seconds.entrySet()) {
            double mbps = inputMb / e.getValue();
            System.out.printf(Locale.ROOT, "| Spark job, local[%d] | %.1f | %.2f | %.2f | %.2f |%n",
                    e.getKey(), e.getValue(), mbps, mbps / e.getKey(), mbps / e.getKey() / bareMbps);
        }
        for (int t = 0; t < inMemory.length; t++) {
            double mbps = inputMb / inMemory[t];
            System.out.printf(Locale.ROOT, "| bare FastaiTokenizer in memory, %d thread(s) | %.1f | %.2f | %.2f | %.2f |%n",
                    t + 1, inMemory[t], mbps, mbps / (t + 1), mbps / (t + 1) / bareMbps);
        }
        if (seconds.containsKey(1) && seconds.containsKey(2)) {
            double scaling = seconds.get(1) / seconds.get(2);
            double scalingNoStart = (seconds.get(1) - startup) / (seconds.get(2) - startup);
            double efficiency = inputMb / seconds.get(1) / bareMbps;
            double efficiencyNoStart = inputMb / (seconds.get(1) - startup) / bareMbps;
            double parseCeiling = inputMb / bare.totalSeconds;
            System.out.println();
            System.out.printf(Locale.ROOT, "scaling local[2]/local[1]: %.2f end to end, %.2f without start-up (target >= 1.8); "
                    + "the bare tokenizer's own 2-thread scaling on this machine: %.2f%n", scaling, scalingNoStart,
                    inMemory.length > 1 ? inMemory[0] / inMemory[1] : Double.NaN);
            System.out.printf(Locale.ROOT, "local[1] vs bare tokenizer (tokenize only): %.2f end to end, %.2f without start-up "
                    + "(target >= 0.70)%n", efficiency, efficiencyNoStart);
            System.out.printf(Locale.ROOT, "local[1] vs bare CSV parse + tokenize: %.2f end to end, %.2f without start-up%n",
                    inputMb / seconds.get(1) / parseCeiling, inputMb / (seconds.get(1) - startup) / parseCeiling);
            System.out.printf(Locale.ROOT, "job start-up (1 MB run): %.1f s; load average after: %s%n", startup, loadAverage());
        }
    }

    private record Baseline(long docs, long tokens, double tokenizeSeconds, double totalSeconds) {
    }

    private static Baseline bareTokenizer(Path corpus) throws IOException {
        FastaiTokenizer tokenizer = FastaiTokenizer.defaults();
        long[] count = new long[1];
        // warm-up on the first documents, so that the figure is the JIT-compiled speed, as in Spark
        try (CsvArticleReader in = new CsvArticleReader(corpus)) {
            String doc;
            for (int i = 0; i < 300 && (doc = in.next()) != null; i++) {
                tokenizer.tokenize(doc, t -> count[0]++);
            }
        }
        count[0] = 0;
        long docs = 0;
        long tokenizeNanos = 0;
        long t0 = System.nanoTime();
        try (CsvArticleReader in = new CsvArticleReader(corpus)) {
            String doc;
            while ((doc = in.next()) != null) {
                long s = System.nanoTime();
                tokenizer.tokenize(doc, t -> count[0]++);
                tokenizeNanos += System.nanoTime() - s;
                docs++;
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        return new Baseline(docs, count[0], tokenizeNanos / 1e9, total);
    }

    /**
     * Wall seconds to tokenize every article held in memory with 1..maxThreads threads (articles
     * dealt round-robin), after a warm-up; index t holds t+1 threads.
     */
    private static double[] bareInMemory(Path corpus, int maxThreads) throws Exception {
        List<String> docs = new ArrayList<>();
        try (CsvArticleReader in = new CsvArticleReader(corpus)) {
            String doc;
            while ((doc = in.next()) != null) {
                docs.add(doc);
            }
        }
        FastaiTokenizer tokenizer = FastaiTokenizer.defaults();
        long[] sink = new long[1];
        for (int i = 0; i < Math.min(300, docs.size()); i++) {
            tokenizer.tokenize(docs.get(i), t -> sink[0]++);
        }
        double[] seconds = new double[maxThreads];
        for (int threads = 1; threads <= maxThreads; threads++) {
            int n = threads;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
            try {
                long t0 = System.nanoTime();
                List<java.util.concurrent.Future<Long>> parts = new ArrayList<>();
                for (int t = 0; t < n; t++) {
                    int first = t;
                    parts.add(pool.submit(() -> {
                        long[] count = new long[1];
                        for (int i = first; i < docs.size(); i += n) {
                            tokenizer.tokenize(docs.get(i), tok -> count[0]++);
                        }
                        return count[0];
                    }));
                }
                for (java.util.concurrent.Future<Long> f : parts) {
                    f.get();
                }
                seconds[threads - 1] = (System.nanoTime() - t0) / 1e9;
            } finally {
                pool.shutdownNow();
            }
        }
        return seconds;
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
                throw new IllegalArgumentException("usage: PreprocessBench [--mb 500] [--dir cache/bench] [--cores 1,2] [--heap 3g] [--seed 42]");
            }
            m.put(args[i], args[++i]);
        }
        return m;
    }

    private static void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, "bench: " + format + "%n", args);
    }
}
