package org.lmshards.trainer.remote;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.VerifyReport;
import org.lmshards.core.testing.Format2;
import org.lmshards.core.testing.JarRun;
import org.lmshards.core.testing.S3ProxyServer;
import org.lmshards.trainer.testing.WikiTextDatasets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code trainer.jar} (the shaded jar this build made) reading {@code --data} from a real HDFS
 * (MiniDFSCluster) and a real S3 API (S3Proxy, {@code s3a:}) on loopback: the dataset is copied
 * into {@code --cache-dir} through its manifest, verified and read; the next command is a cache
 * hit.
 */
class RemoteDataIT {
    @TempDir
    static Path tmp;
    static MiniDFSCluster hdfs;
    /** S3Proxy in its own JVM: its Gson is newer than DL4J's. */
    static Process s3;
    static int s3Port;
    static Map<String, String> s3a;
    static VerifyReport expected;

    @BeforeAll
    static void storesHoldingADataset() throws Exception {
        Path v1 = tmp.resolve("v1");
        WikiTextDatasets.build(v1, 8, 3, 2);
        Path local = Format2.publish(v1, tmp.resolve("ds"), 1);
        expected = DatasetVerifier.verify(local);

        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        hdfs.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/data/ds"));

        s3 = startS3Proxy();
        s3a = S3ProxyServer.s3aSettings(s3Port);
        Configuration s3conf = new Configuration();
        s3a.forEach(s3conf::set);
        try (FileSystem fs = FileSystem.newInstance(URI.create("s3a://" + S3ProxyServer.BUCKET + "/"), s3conf)) {
            try (var files = Files.walk(local)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    try (var out = fs.create(new org.apache.hadoop.fs.Path("s3a://" + S3ProxyServer.BUCKET + "/data/ds/"
                            + local.relativize(f)))) {
                        Files.copy(f, out);
                    }
                }
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (hdfs != null) {
            hdfs.shutdown();
        }
        if (s3 != null) {
            s3.getOutputStream().close();   // S3ProxyServer.main stops at the end of its input
            s3.waitFor(30, TimeUnit.SECONDS);
            s3.destroyForcibly();
        }
    }

    private static Process startS3Proxy() throws Exception {
        String cp = System.getProperty("lmshards.s3proxy.classpath") + ":"
                + Files.readString(Path.of(System.getProperty("lmshards.s3proxy.classpath.file"))).trim();
        Path portFile = tmp.resolve("s3proxy.port");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", cp,
                S3ProxyServer.class.getName(), tmp.resolve("blobs").toString(), portFile.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("s3proxy.log").toFile()).start();
        while (!Files.exists(portFile)) {   // the server writes it once it serves
            assertThat(p.isAlive()).as("S3Proxy running: %s", tmp.resolve("s3proxy.log")).isTrue();
            Thread.sleep(20);
        }
        s3Port = Integer.parseInt(Files.readString(portFile));
        return p;
    }

    /** {@code java -jar target/trainer.jar ARGS}, its stdout and stderr together. */
    private static JarRun.Result jar(String... args) throws IOException, InterruptedException {
        return JarRun.run(Path.of(System.getProperty("lmshards.trainer.jar")), List.of(), List.of(args),
                Files.createTempFile(tmp, "jar", ".log"));
    }

    private static String[] withS3a(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        s3a.forEach((k, v) -> a.addAll(List.of("--conf", k + "=" + v)));
        return a.toArray(new String[0]);
    }

    @Test
    void verifyAndShowBatchReadHdfsAndS3ThroughTheCache() throws Exception {
        String cache = tmp.resolve("cache").toString();
        String hdfsUri = hdfs.getFileSystem().getUri() + "/data/ds";
        JarRun.Result v = jar("verify", "--data", hdfsUri, "--cache-dir", cache);
        assertThat(v.code()).as(v.out()).isZero();
        assertThat(v.out()).contains("fetching " + hdfsUri).contains("100%").contains(expected.summary());

        String s3Uri = "s3a://" + S3ProxyServer.BUCKET + "/data/ds";
        JarRun.Result s = jar(withS3a("verify", "--data", s3Uri, "--cache-dir", cache));
        assertThat(s.code()).as(s.out()).isZero();
        assertThat(s.out()).contains("fetching " + s3Uri).contains(expected.summary());

        JarRun.Result again = jar(withS3a("show-batch", "--data", s3Uri, "--cache-dir", cache, "--bs", "2", "--seq-len", "8"));
        assertThat(again.code()).as(again.out()).isZero();
        assertThat(again.out()).as("a cache hit: nothing fetched").doesNotContain("fetching ");
    }
}
