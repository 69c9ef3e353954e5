package org.lmshards.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.testing.TestData;

/**
 * A real distributed run: a Spark standalone master and two one-core workers on 127.0.0.1,
 * started from the Spark jars of the build, the application jar submitted to them with
 * Spark's own {@code SparkSubmit}; the dataset must be byte-identical to a local-mode run
 * (meta.json compared without {@code created_at}).
 *
 * <p>Runs under Failsafe after {@code package}, because executors load the shaded
 * application jar ({@code lmshards.spark.jar}); the Spark classpath comes from
 * {@code spark-classpath.txt}. All processes bind to 127.0.0.1 and are killed, with their
 * executors, whatever happens.
 */
class StandaloneClusterIT {
    private static final String JOB = "org.lmshards.spark.PreprocessJob";
    private static final String LOOPBACK = "127.0.0.1";
    private static final long START_WAIT_SECONDS = 180;   // loaded 2-core CI machines start JVMs slowly
    private static final long JOB_WAIT_SECONDS = 420;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void jobOnATwoWorkerClusterWritesTheSameBytesAsLocalMode(@TempDir Path tmp) throws Exception {
        Path appJar = requiredFile("lmshards.spark.jar");
        String sparkClasspath = Files.readString(requiredFile("lmshards.spark.classpath"), StandardCharsets.UTF_8).trim();
        Path data = TestData.wikitextTiny();
        // outside @TempDir: JUnit warns about every link it deletes there
        Path sparkHome = fakeSparkHome(Files.createTempDirectory("lmshards-spark-home"), sparkClasspath);

        List<Process> processes = new ArrayList<>();
        try {
            int masterPort = freePort();
            String masterUrl = "spark://" + LOOPBACK + ":" + masterPort;
            Path masterLog = tmp.resolve("master.log");
            processes.add(start(sparkHome, sparkClasspath, masterLog, List.of("-Xmx256m"),
                    "org.apache.spark.deploy.master.Master",
                    "--host", LOOPBACK, "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())));
            Path[] workerLogs = new Path[2];
            for (int w = 0; w < 2; w++) {
                workerLogs[w] = tmp.resolve("worker-" + w + ".log");
                processes.add(start(sparkHome, sparkClasspath, workerLogs[w], List.of("-Xmx256m"),
                        "org.apache.spark.deploy.worker.Worker", masterUrl,
                        "--host", LOOPBACK, "--cores", "1", "--memory", "1g",
                        "--webui-port", String.valueOf(freePort()),
                        "--work-dir", tmp.resolve("work-" + w).toString()));
            }
            awaitLogCount(masterLog, "Registering worker", 2, processes, tmp);

            Path clusterOut = tmp.resolve("out-cluster");
            Path localOut = tmp.resolve("out-local");
            int clusterExit = submit(sparkHome, sparkClasspath, appJar, masterUrl, data, clusterOut, tmp.resolve("submit-cluster.log"),
                    "--conf", "spark.executor.memory=512m", "--conf", "spark.cores.max=2");
            assertThat(clusterExit).as("cluster run exit code; logs:%n%s", logTails(tmp)).isZero();
            for (Path workerLog : workerLogs) {
                // both workers ran an executor: the job really was distributed
                assertThat(read(workerLog)).as("%s", workerLog).contains("Asked to launch executor");
            }
            int localExit = submit(sparkHome, sparkClasspath, appJar, "local[2]", data, localOut, tmp.resolve("submit-local.log"));
            assertThat(localExit).as("local run exit code; logs:%n%s", logTails(tmp)).isZero();

            assertSameDataset(clusterOut, localOut);
        } finally {
            for (int i = processes.size() - 1; i >= 0; i--) {
                kill(processes.get(i));
            }
            deleteLinkTree(sparkHome);
        }
    }

    /** Deletes the fake Spark home: the links, never what they point to. */
    private static void deleteLinkTree(Path home) throws IOException {
        try (Stream<Path> s = Files.walk(home)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int submit(Path sparkHome, String sparkClasspath, Path appJar, String master, Path data, Path out,
            Path log, String... extraConf) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--master", master, "--class", JOB,
                "--conf", "spark.driver.host=" + LOOPBACK, "--conf", "spark.driver.bindAddress=" + LOOPBACK,
                "--conf", "spark.ui.enabled=false"));
        args.addAll(Arrays.asList(extraConf));
        args.add(appJar.toString());
        args.addAll(List.of("--train", data.resolve("train.csv").toString(), "--valid", data.resolve("test.csv").toString(),
                "--output", out.toString(), "--partitions", "4"));
        Process p = start(sparkHome, sparkClasspath, log, List.of("-Xmx768m"), "org.apache.spark.deploy.SparkSubmit",
                args.toArray(String[]::new));
        try {
            if (!p.waitFor(JOB_WAIT_SECONDS, TimeUnit.SECONDS)) {
                fail("job on " + master + " did not finish in " + JOB_WAIT_SECONDS + " s; log:\n" + tail(log));
            }
            return p.exitValue();
        } finally {
            kill(p);
        }
    }

    /** Every file of both trees, same relative paths, same bytes; meta.json minus created_at. */
    private static void assertSameDataset(Path a, Path b) throws IOException {
        Map<String, Path> filesA = files(a);
        Map<String, Path> filesB = files(b);
        assertThat(filesA).as("files of %s", a).containsKey("_SUCCESS").containsKey("vocab.json").containsKey("train/meta.json");
        assertThat(filesA.keySet()).as("file names").containsExactlyElementsOf(filesB.keySet());
        assertThat(filesA.keySet().stream().filter(f -> f.startsWith("train/tokens-"))).isNotEmpty();
        ObjectMapper json = new ObjectMapper();
        for (String name : filesA.keySet()) {
            byte[] x = Files.readAllBytes(filesA.get(name));
            byte[] y = Files.readAllBytes(filesB.get(name));
            if (name.endsWith("meta.json")) {
                ObjectNode mx = (ObjectNode) json.readTree(x);
                ObjectNode my = (ObjectNode) json.readTree(y);
                assertThat(mx.remove("created_at")).as("%s created_at", name).isNotNull();
                my.remove("created_at");
                assertThat(mx).as(name).isEqualTo(my);
            } else {
                assertThat(x).as(name).isEqualTo(y);
            }
        }
    }

    private static Map<String, Path> files(Path root) throws IOException {
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(p -> files.put(root.relativize(p).toString().replace('\\', '/'), p));
        }
        return files;
    }

    /**
     * Spark's launcher builds executor command lines from {@code $SPARK_HOME/jars}; this makes
     * one from links to the build's Spark jars, so no Spark installation is needed.
     */
    private static Path fakeSparkHome(Path home, String classpath) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            Path jar = Paths.get(entry);
            Path link = jars.resolve(jar.getFileName());
            if (entry.endsWith(".jar") && !Files.exists(link)) {
                Files.createSymbolicLink(link, jar);
            }
        }
        return home;
    }

    private static Process start(Path sparkHome, String classpath, Path log, List<String> jvmArgs, String mainClass,
            String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("lmshards.spark.jvm.flags", "").trim().split("\\s+")));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_LOCAL_IP", LOOPBACK);   // traffic on loopback only
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().remove("SPARK_CONF_DIR");
        return pb.start();
    }

    private static void awaitLogCount(Path log, String marker, int count, List<Process> processes, Path tmp)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && countOccurrences(read(log), marker) >= count) {
                return;
            }
            for (Process p : processes) {
                if (!p.isAlive()) {
                    fail("a cluster process exited early (" + p.exitValue() + "); logs:\n" + logTails(tmp));
                }
            }
            Thread.sleep(500);
        }
        fail("cluster did not come up in " + START_WAIT_SECONDS + " s (waiting for " + count + " x '" + marker + "' in "
                + log + "); logs:\n" + logTails(tmp));
    }

    private static int countOccurrences(String text, String marker) {
        int n = 0;
        for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
            n++;
        }
        return n;
    }

    /** Kills a process and its descendants (a worker's executors), waiting a bounded time. */
    private static void kill(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    private static Path requiredFile(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set: run this test with Failsafe (mvn verify)");
        }
        Path p = Paths.get(value);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(property + "=" + p + " does not exist: the package phase must run first");
        }
        return p;
    }

    private static String logTails(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path log : s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".log") || n.equals("stderr");
            }).sorted().toList()) {
                sb.append("==> ").append(log).append(" <==\n").append(tail(log)).append('\n');
            }
        }
        return sb.toString();
    }

    /** Logs are read leniently: a stray invalid byte must not hide the real failure. */
    private static String read(Path log) throws IOException {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        Deque<String> last = new ArrayDeque<>();
        for (String line : read(log).split("\n")) {
            if (last.size() == 40) {
                last.removeFirst();
            }
            last.addLast(line);
        }
        return String.join("\n", last);
    }
}
