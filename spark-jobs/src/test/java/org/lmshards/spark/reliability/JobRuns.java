package org.lmshards.spark.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.spark.PreprocessJob;
import org.lmshards.spark.SparkTestSupport;

/** Runs the preprocessing job as a child JVM; in-process runs and dataset comparisons are {@link SparkTestSupport}'s. */
public final class JobRuns {
    private JobRuns() {
    }

    /**
     * Starts the job as a child JVM ({@code java -cp <test classpath> <Spark's JVM flags>
     * org.lmshards.spark.PreprocessJob ...}) in Spark local mode with a small heap; its stdout and
     * stderr go to {@code log}.
     */
    public static Process child(Path log, List<String> sysProps, String... args) throws IOException {
        List<String> sparkFlags = new ArrayList<>();
        // Spark's --add-opens flags as the surefire JVM got them from the build.
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                    || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
                sparkFlags.add(a);
            }
        }
        return child(log, System.getProperty("java.class.path"), sparkFlags, sysProps, args);
    }

    /**
     * The same with a given class path (another module's test starting the job from its jars) and
     * Spark's JVM flags ({@code spark.jvm.flags} of the parent pom).
     */
    public static Process child(Path log, String classpath, List<String> sparkFlags, List<String> sysProps, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(sparkFlags);
        cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss1m",
                "-Dspark.master=local[2]", "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1",
                "-Dspark.driver.bindAddress=127.0.0.1", "-Dspark.sql.shuffle.partitions=2"));
        cmd.addAll(sysProps);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(PreprocessJob.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1"); // traffic only on the loopback interface
        return pb.start();
    }

    /** The child's log, for assertion messages. */
    public static String log(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The generation a running or killed job on {@code out} writes (a {@code gen-N} without its manifest), or null. */
    static Path staging(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return null;
        }
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.sorted().toList()) {
                java.util.OptionalLong g = DatasetManifest.generationOfDirectory(p.getFileName().toString());
                if (g.isPresent() && !Files.exists(out.resolve(DatasetManifest.fileName(g.getAsLong())))) {
                    return p;
                }
            }
        }
        return null;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }
}
