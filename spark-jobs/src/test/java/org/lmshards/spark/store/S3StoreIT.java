package org.lmshards.spark.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.testing.S3ProxyServer;

/**
 * The job against a real S3 API: S3Proxy on loopback, backed by a local directory, read and
 * written through Hadoop's {@code s3a:} (path-style access, credentials from the configuration).
 */
class S3StoreIT extends StoreContract {
    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static FileSystem fs;
    static StoreScenarios scenarios;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start(tmp.resolve("blobs"));
        Map<String, String> s3a = s3.s3aSettings();
        Configuration conf = new Configuration();
        StoreScenarios.configure(conf, s3a);
        fs = FileSystem.newInstance(URI.create("s3a://" + S3ProxyServer.BUCKET + "/"), conf);
        scenarios = new StoreScenarios(fs, new org.apache.hadoop.fs.Path("s3a://" + S3ProxyServer.BUCKET + "/it"),
                StoreScenarios.childProps(s3a), tmp);
        scenarios.setUp();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (fs != null) {
            fs.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    StoreScenarios scenarios() {
        return scenarios;
    }
}
