package org.lmshards.core.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API on loopback for integration tests: S3Proxy backed by a local directory, one
 * bucket, and the Hadoop {@code s3a:} settings that reach it (path-style access, credentials from
 * the configuration). Needs {@code org.gaul:s3proxy} on the test classpath.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String BUCKET = "lmshards";
    private final S3Proxy proxy;
    private final BlobStoreContext blobs;

    private S3ProxyServer(S3Proxy proxy, BlobStoreContext blobs) {
        this.proxy = proxy;
        this.blobs = blobs;
    }

    public static S3ProxyServer start(Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext blobs = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("identity", "credential")
                .build(BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, BUCKET);
        S3Proxy proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test-access", "test-secret").build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(1);   // start() returns once the connector is open; the state follows
        }
        return new S3ProxyServer(proxy, blobs);
    }

    /**
     * Runs a server as its own process (for a test whose classpath clashes with S3Proxy's):
     * {@code S3ProxyServer DIR PORT_FILE} writes the port to PORT_FILE once serving, and stops
     * when its standard input closes (the test ended, or died).
     */
    public static void main(String[] args) throws Exception {
        try (S3ProxyServer s = start(Path.of(args[0]))) {
            Path tmp = Path.of(args[1] + ".tmp");
            java.nio.file.Files.writeString(tmp, Integer.toString(s.proxy.getPort()));
            java.nio.file.Files.move(tmp, Path.of(args[1]), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            while (System.in.read() >= 0) {
                // until end of input
            }
        }
        System.exit(0);
    }

    /**
     * Stores a local file as the object {@code key} of the bucket through the blob store behind
     * the server (a test's input, without a Hadoop client in the test's JVM).
     */
    public void put(String key, Path file) throws java.io.IOException {
        BlobStore store = blobs.getBlobStore();
        store.putBlob(BUCKET, store.blobBuilder(key).payload(file.toFile()).contentLength(java.nio.file.Files.size(file)).build());
    }

    /** The {@code fs.s3a.*} settings for this server. */
    public Map<String, String> s3aSettings() {
        return s3aSettings(proxy.getPort());
    }

    /** The {@code fs.s3a.*} settings for a server on {@code port}. */
    public static Map<String, String> s3aSettings(int port) {
        Map<String, String> s3a = new LinkedHashMap<>();
        s3a.put("fs.s3a.endpoint", "http://127.0.0.1:" + port);
        s3a.put("fs.s3a.endpoint.region", "us-east-1");
        s3a.put("fs.s3a.path.style.access", "true");
        s3a.put("fs.s3a.connection.ssl.enabled", "false");
        s3a.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        s3a.put("fs.s3a.access.key", "test-access");
        s3a.put("fs.s3a.secret.key", "test-secret");
        // In memory, not a temporary file: S3Proxy rejected the SDK's payload hash of file bodies
        // (XAmzContentSHA256Mismatch).
        s3a.put("fs.s3a.fast.upload.buffer", "array");
        s3a.put("fs.s3a.retry.limit", "2");
        s3a.put("fs.s3a.attempts.maximum", "2");
        return s3a;
    }

    @Override
    // Not "throws Exception": javac warns on every try-with-resources of a close() that may throw InterruptedException.
    public void close() throws java.io.IOException {
        try {
            proxy.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the interrupt for the caller; still close the store
        } catch (Exception e) {
            throw new java.io.IOException("stopping S3Proxy", e);
        } finally {
            blobs.close();
        }
    }
}
