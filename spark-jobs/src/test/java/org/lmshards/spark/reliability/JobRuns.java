package org.lmshards.spark.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.lmshards.spark.PreprocessJob;

/** Runs the preprocessing job in this JVM or as a child JVM, and compares dataset directories. */
final class JobRuns {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobRuns() {
    }

    /** A finished run: exit code and what it printed. */
    record Run(int code, String out, String err) {
    }

    /** The module's shared local session (same settings as the other Spark tests of the module). */
    static synchronized SparkSession session() {
        SparkSession s = SparkSession.builder()
                .master("local[2,3]")
                .appName("lmshards-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        SparkSession.setActiveSession(s);
        return s;
    }

    /** Runs the job in this JVM on the shared session, capturing stdout and stderr. */
    static synchronized Run inProcess(String... args) {
        session();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = PreprocessJob.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        oldErr.print(r.err());
        return r;
    }

    /**
     * Starts the job as a child JVM ({@code java -cp <test classpath> <Spark's JVM flags>
     * org.lmshards.spark.PreprocessJob ...}) in Spark local mode with a small heap; its stdout and
     * stderr go to {@code log}.
     */
    static Process child(Path log, List<String> sysProps, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Spark's --add-opens flags as the surefire JVM got them from the build.
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                    || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss1m",
                "-Dspark.master=local[2]", "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1",
                "-Dspark.driver.bindAddress=127.0.0.1", "-Dspark.sql.shuffle.partitions=2"));
        cmd.addAll(sysProps);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(PreprocessJob.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1"); // traffic only on the loopback interface
        return pb.start();
    }

    /** The child's log, for assertion messages. */
    static String log(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Every file of a dataset directory (relative path to SHA-256 and size); {@code meta.json}
     * files as JSON without {@code created_at}, the one field allowed to differ between runs.
     */
    static Map<String, String> contents(Path dir) {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                String content;
                if (p.getFileName().toString().equals("meta.json")) {
                    ObjectNode meta = (ObjectNode) JSON.readTree(b);
                    if (meta.remove("created_at") == null) {
                        throw new IllegalStateException(p + " has no created_at");
                    }
                    content = meta.toString();
                } else {
                    content = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)) + " " + b.length;
                }
                m.put(dir.relativize(p).toString(), content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    /** The job's bookkeeping entries for {@code out} in its parent directory (lock, staging, set-aside old dataset). */
    static List<Path> leftovers(Path out) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out.getParent(), "." + out.getFileName() + ".*")) {
            s.forEach(found::add);
        }
        return found;
    }

    /** The staging directory of a running or killed job on {@code out}, or null. */
    static Path staging(Path out) throws IOException {
        for (Path p : leftovers(out)) {
            if (p.getFileName().toString().startsWith("." + out.getFileName() + ".staging-")) {
                return p;
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
