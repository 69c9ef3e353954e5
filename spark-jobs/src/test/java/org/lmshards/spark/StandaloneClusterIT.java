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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.testing.TestData;

/**
 * A real distributed run: a Spark standalone master and two one-core workers on the loopback
 * interface (127.0.0.1 and 127.0.0.2, so that Spark sees two hosts, as speculation needs),
 * started from the Spark jars of the build, the application jar submitted to them with Spark's
 * own {@code SparkSubmit}; the datasets must be byte-identical to a local-mode run (meta.json
 * compared without {@code created_at}).
 *
 * <p>Runs under Failsafe after {@code package}, because executors load the shaded
 * application jar ({@code lmshards.spark.jar}); the Spark classpath comes from
 * {@code spark-classpath.txt}. All processes bind to loopback addresses and are killed, with
 * their executors, whatever happens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class StandaloneClusterIT {
    private static final String JOB = "org.lmshards.spark.PreprocessJob";
    private static final String LOOPBACK = "127.0.0.1";
    private static final String[] WORKER_HOSTS = {"127.0.0.1", "127.0.0.2"};
    private static final long START_WAIT_SECONDS = 180;   // loaded 2-core CI machines start JVMs slowly
    private static final long JOB_WAIT_SECONDS = 420;
    /** Several shards per split, so that a write stage has tasks to compare a slow one with. */
    private static final String SHARD_TOKENS = "100000";

    @TempDir
    static Path tmp;
    private final List<Process> processes = new ArrayList<>();
    private Path sparkHome;
    private String sparkClasspath;
    private Path appJar;
    private String masterUrl;
    private final Path[] workerLogs = new Path[WORKER_HOSTS.length];
    private Path localOut;

    @BeforeAll
    void startClusterAndRunTheLocalReference() throws Exception {
        appJar = requiredFile("lmshards.spark.jar");
        sparkClasspath = Files.readString(requiredFile("lmshards.spark.classpath"), StandardCharsets.UTF_8).trim();
        // outside @TempDir: JUnit warns about every link it deletes there
        sparkHome = fakeSparkHome(Files.createTempDirectory("lmshards-spark-home"), sparkClasspath);
        int masterPort = freePort();
        masterUrl = "spark://" + LOOPBACK + ":" + masterPort;
        Path masterLog = tmp.resolve("master.log");
        processes.add(start(LOOPBACK, masterLog, List.of("-Xmx256m"), "org.apache.spark.deploy.master.Master",
                "--host", LOOPBACK, "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())));
        for (int w = 0; w < WORKER_HOSTS.length; w++) {
            workerLogs[w] = tmp.resolve("worker-" + w + ".log");
            processes.add(start(WORKER_HOSTS[w], workerLogs[w], List.of("-Xmx256m"),
                    "org.apache.spark.deploy.worker.Worker", masterUrl,
                    "--host", WORKER_HOSTS[w], "--cores", "1", "--memory", "1g",
                    "--webui-port", String.valueOf(freePort()),
                    "--work-dir", tmp.resolve("work-" + w).toString()));
        }
        awaitLogCount(masterLog, "Registering worker", WORKER_HOSTS.length);

        localOut = tmp.resolve("out-local");
        int localExit = submit("local[2]", localOut, tmp.resolve("submit-local.log"));
        assertThat(localExit).as("local run exit code; logs:%n%s", logTails(tmp)).isZero();
    }

    @AfterAll
    void stopCluster() throws IOException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            kill(processes.get(i));
        }
        if (sparkHome != null) {
            deleteLinkTree(sparkHome);
        }
    }

    @Test
    void jobOnATwoWorkerClusterWritesTheSameBytesAsLocalMode() throws Exception {
        Path clusterOut = tmp.resolve("out-cluster");
        int clusterExit = submit(masterUrl, clusterOut, tmp.resolve("submit-cluster.log"),
                "--conf", "spark.executor.memory=512m", "--conf", "spark.cores.max=2");
        assertThat(clusterExit).as("cluster run exit code; logs:%n%s", logTails(tmp)).isZero();
        for (Path workerLog : workerLogs) {
            // both workers ran an executor: the job really was distributed
            assertThat(read(workerLog)).as("%s", workerLog).contains("Asked to launch executor");
        }
        assertSameDataset(clusterOut, localOut);
    }

    /**
     * Issue 6: speculative execution on. The first attempt of train shard 1 stalls after writing
     * its files; Spark launches a speculative attempt on the other host, which wins; the stalled
     * one is killed. Exactly that attempt is committed, and the dataset is the local run's.
     */
    @Test
    void speculativeAttemptOfAStalledShardWriteIsCommittedOnceAndTheBytesAreUnchanged() throws Exception {
        Path out = tmp.resolve("out-speculative");
        Path log = tmp.resolve("submit-speculative.log");
        int exit = submit(masterUrl, out, log,
                "--conf", "spark.executor.memory=512m", "--conf", "spark.cores.max=2",
                "--conf", "spark.speculation=true", "--conf", "spark.speculation.interval=100ms",
                "--conf", "spark.speculation.quantile=0.5", "--conf", "spark.speculation.multiplier=2",
                "--conf", "spark.speculation.efficiency.enabled=false",
                "--conf", "spark.lmshards.fault.slowFirstAttempt=train-write:1");
        String driverLog = read(log);
        assertThat(exit).as("speculative run exit code; logs:%n%s", logTails(tmp)).isZero();
        // The only commit of train shard 1 is that of a second attempt (attemptNumber 1): the speculative copy.
        List<String> commits = driverLog.lines().filter(l -> l.contains("Shard 1 of train: committing attempt")).toList();
        assertThat(commits).as(driverLog).hasSize(1);
        assertThat(commits.get(0)).matches(".*committing attempt stage\\d+\\.\\d+-task\\d+\\.1$");
        assertThat(driverLog).as("Spark launched and then killed a speculative pair").containsPattern("(?i)speculat")
                .containsPattern("Killing attempt 0 for task 1\\.0 in stage");
        assertThat(executorStderr()).as("the injected stall really ran").contains("stalling the first attempt of task 1");
        assertSameDataset(out, localOut);
        // the evidence, for the test report
        driverLog.lines().filter(l -> l.contains("speculat") || l.contains("Killing attempt") || l.contains("committing attempt"))
                .forEach(System.out::println);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".out-speculative.")))
                    .as("no staging or temporary leftovers").isEmpty();
        }
    }

    private String executorStderr() throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                sb.append(read(p));
            }
        }
        return sb.toString();
    }

    /** Deletes the fake Spark home: the links, never what they point to. */
    private static void deleteLinkTree(Path home) throws IOException {
        try (Stream<Path> s = Files.walk(home)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private int submit(String master, Path out, Path log, String... extraConf) throws Exception {
        Path data = TestData.wikitextTiny();
        List<String> args = new ArrayList<>(List.of(
                "--master", master, "--class", JOB,
                "--conf", "spark.driver.host=" + LOOPBACK, "--conf", "spark.driver.bindAddress=" + LOOPBACK,
                "--conf", "spark.ui.enabled=false"));
        args.addAll(Arrays.asList(extraConf));
        args.add(appJar.toString());
        args.addAll(List.of("--train", data.resolve("train.csv").toString(), "--valid", data.resolve("test.csv").toString(),
                "--output", out.toString(), "--partitions", "4", "--shard-tokens", SHARD_TOKENS));
        // Spark's own INFO log, plus the job's DEBUG line naming the task attempt it commits
        Path logConfig = tmp.resolve("driver-log4j2.properties");
        Files.writeString(logConfig, String.join("\n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.console.ref = console",
                "appender.console.type = Console",
                "appender.console.name = console",
                "appender.console.target = SYSTEM_ERR",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex",
                "logger.committer.name = org.lmshards.spark.io.DatasetOutput",
                "logger.committer.level = debug", ""));
        Process p = start(LOOPBACK, log, List.of("-Xmx768m", "-Dlog4j2.configurationFile=" + logConfig),
                "org.apache.spark.deploy.SparkSubmit", args.toArray(String[]::new));
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
        Map<String, Path> filesA = files(SparkTestSupport.root(a));
        Map<String, Path> filesB = files(SparkTestSupport.root(b));
        assertThat(filesA).as("files of %s", a).containsKey("vocab.json").containsKey("train/meta.json");
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

    /** Starts a Spark JVM whose sockets (and those of the executors it launches) bind to {@code host}. */
    private Process start(String host, Path log, List<String> jvmArgs, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("lmshards.spark.jvm.flags", "").trim().split("\\s+")));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(sparkClasspath);
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_LOCAL_IP", host);   // traffic on loopback only
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().remove("SPARK_CONF_DIR");
        return pb.start();
    }

    private void awaitLogCount(Path log, String marker, int count) throws IOException, InterruptedException {
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
