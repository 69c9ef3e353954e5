package org.lmshards.spark.reliability;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.lmshards.spark.PreprocessJob;

/**
 * Issue 18, item 2, the large part (a reliability run, not in {@code mvn verify}: minutes and
 * hundreds of MB of rejects): for each row count, a CSV of one good row and that many bad rows
 * ({@code a"b}, a stray quote) is preprocessed with {@code --on-bad-row skip} in a child JVM
 * with a fixed heap ({@code -Xmx512m}, the least Spark accepts, local[2]); the child reports the largest heap in
 * use after a garbage collection (live data, not garbage). Bounded driver memory means that
 * figure stays flat while the rejects grow tenfold. Command and figures: docs/RELIABILITY.md.
 *
 * <p>Usage: {@code ManyRejectsRun WORKDIR ROWS... [--job-option value ...]} (job options apply to every run).
 */
public final class ManyRejectsRun {
    private ManyRejectsRun() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Files.createDirectories(work);
        List<Long> counts = new ArrayList<>();
        List<String> jobOptions = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                jobOptions.addAll(List.of(args[i], args[++i]));
            } else {
                counts.add(Long.parseLong(args[i]));
            }
        }
        for (long rows : counts) {
            Path csv = work.resolve("bad-" + rows + ".csv");
            try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                w.write("\"good text\"\n");
                for (long r = 0; r < rows; r++) {
                    w.write("a\"b\n");
                }
            }
            Path out = work.resolve("out-" + rows);
            Path log = work.resolve("run-" + rows + ".log");
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || a.startsWith("-Djdk.reflect")
                        || a.startsWith("-Dio.netty")) {
                    cmd.add(a);
                }
            }
            cmd.addAll(List.of("-Xmx512m", "-XX:+UseParallelGC", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false",
                    "-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1", "-cp", System.getProperty("java.class.path"),
                    Child.class.getName(), "--train", csv.toString(), "--output", out.toString(), "--on-bad-row", "skip", "--force"));
            cmd.addAll(jobOptions);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int code = p.waitFor();
            double s = (System.nanoTime() - t0) / 1e9;
            String report = Files.readAllLines(log).stream().filter(l -> l.startsWith("max heap after GC")).findFirst().orElse("(none)");
            long lines = 0;
            Path rejects = out.resolve("rejects/train.csv");
            if (Files.exists(rejects)) {
                try (var l = Files.lines(rejects)) {
                    lines = l.count() - 1;
                }
            }
            System.out.printf(Locale.ROOT, "rows %,d %s: exit %d, %.0f s, %s, rejects/train.csv %,d rows (%,d MB), log %s%n", rows, jobOptions, code, s,
                    report, lines, Files.exists(rejects) ? Files.size(rejects) >> 20 : 0, log);
        }
    }

    /** Runs the job in this JVM while sampling the heap in use after each collection. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            AtomicLong max = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (true) {
                    long used = 0;
                    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                        MemoryUsage u = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
                        used += u == null ? 0 : u.getUsed();
                    }
                    max.accumulateAndGet(used, Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
            int code = PreprocessJob.run(args);
            System.gc();
            System.out.printf(Locale.ROOT, "max heap after GC %.1f MiB of %.0f MiB%n", max.get() / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
            System.exit(code);
        }
    }
}
