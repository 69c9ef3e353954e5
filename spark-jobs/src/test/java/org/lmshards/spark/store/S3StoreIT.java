package org.lmshards.spark.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The job against a real S3 API: S3Proxy on loopback, backed by a local directory, read and
 * written through Hadoop's {@code s3a:} (path-style access, credentials from the configuration).
 */
class S3StoreIT {
    private static final String BUCKET = "lmshards";
    @TempDir
    static Path tmp;
    static S3Proxy proxy;
    static BlobStoreContext blobs;
    static FileSystem fs;
    static StoreScenarios scenarios;

    @BeforeAll
    static void startS3() throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", tmp.resolve("blobs").toString());
        blobs = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("identity", "credential")
                .build(BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test-access", "test-secret").build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(1);   // start() returns once the connector is open; the state follows
        }
        Map<String, String> s3a = new LinkedHashMap<>();
        s3a.put("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort());
        s3a.put("fs.s3a.endpoint.region", "us-east-1");
        s3a.put("fs.s3a.path.style.access", "true");
        s3a.put("fs.s3a.connection.ssl.enabled", "false");
        s3a.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        s3a.put("fs.s3a.access.key", "test-access");
        s3a.put("fs.s3a.secret.key", "test-secret");
        s3a.put("fs.s3a.fast.upload.buffer", "array");
        s3a.put("fs.s3a.retry.limit", "2");
        s3a.put("fs.s3a.attempts.maximum", "2");
        Configuration conf = new Configuration();
        StoreScenarios.configure(conf, s3a);
        fs = FileSystem.newInstance(URI.create("s3a://" + BUCKET + "/"), conf);
        scenarios = new StoreScenarios(fs, new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/it"), StoreScenarios.childProps(s3a), tmp);
        scenarios.setUp();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (fs != null) {
            fs.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
        if (blobs != null) {
            blobs.close();
        }
    }

    @Test
    void roundTripIsByteIdenticalToLocalModeWithCacheHitForceAndAGivenVocabulary() throws Exception {
        scenarios.roundTripCacheHitForceAndGivenVocabulary();
    }

    @ParameterizedTest(name = "halt at {0}: readers see the new dataset: {1}")
    @CsvSource({"first-shard-committed, false", "published, true"})
    void aJobKilledAtACommitStepLeavesTheOldOrTheNewDatasetWhole(String point, boolean newVisible) throws Exception {
        scenarios.killAt(point, newVisible);
    }
}
