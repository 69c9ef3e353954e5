package org.lmshards.trainer.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ShardFormatException;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.VerifyReport;
import org.lmshards.core.testing.Format2;
import org.lmshards.trainer.testing.WikiTextDatasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The trainer's local copy of a remote dataset (issue 24 item 3), through Hadoop's {@code file:}
 * filesystem (the same FileSystem API as {@code hdfs:} and {@code s3a:}; the real stores are
 * the Spark module's ITs).
 */
class RemoteDatasetCacheTest {
    @TempDir
    Path tmp;
    Path remote;
    String uri;
    VerifyReport expected;
    long totalBytes;
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void aFormat2DatasetElsewhere() throws IOException {
        remote = dataset("remote", 0);
        uri = remote.toUri().toString();
        expected = DatasetVerifier.verify(remote);
        totalBytes = bytesUnder(remote.resolve("gen-0000000001"));
    }

    private Path dataset(String name, int firstRow) throws IOException {
        Path v1 = tmp.resolve(name + "-v1");
        WikiTextDatasets.build(v1, firstRow, 8, 3, 2);
        return Format2.publish(v1, tmp.resolve(name), 1);
    }

    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private RemoteDatasetCache cache(long maxBytes) {
        return new RemoteDatasetCache(new Configuration(), tmp.resolve("cache"), maxBytes,
                new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    private Path entry(String u) {
        return tmp.resolve("cache").resolve(RemoteDatasetCache.key(new org.apache.hadoop.fs.Path(u)));
    }

    @Test
    void aRemoteDatasetIsCopiedOnceAndACacheHitReadsOnlyTheManifest() throws IOException {
        RemoteDatasetCache first = cache(0);
        Path local = first.localize(uri);
        assertThat(DatasetVerifier.verify(local)).isEqualTo(expected);
        assertThat(first.bytesFetched()).isEqualTo(totalBytes);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("fetching file:" + remote + " generation 1")
                .contains(": 100% (");

        // Only the manifest is read on a hit: with the remote shards gone, the copy still serves.
        try (Stream<Path> s = Files.walk(remote.resolve("gen-0000000001/train"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".npy")).toList()) {
                Files.delete(p);
            }
        }
        RemoteDatasetCache second = cache(0);
        assertThat(second.localize(uri)).isEqualTo(local);
        assertThat(second.bytesFetched()).isZero();
        assertThat(DatasetVerifier.verify(local)).isEqualTo(expected);
    }

    @Test
    void anInterruptedCopyResumesWhereItStopped() throws IOException {
        Path shard = remote.resolve("gen-0000000001/train/tokens-00000.npy");
        byte[] bytes = Files.readAllBytes(shard);
        int half = bytes.length / 2;
        Path part = entry(uri).resolve("gen-0000000001/train/tokens-00000.npy.part");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(bytes, half));   // what a killed copy leaves
        RemoteDatasetCache c = cache(0);
        Path local = c.localize(uri);
        assertThat(c.bytesFetched()).as("the first half was not fetched again").isEqualTo(totalBytes - half);
        assertThat(part).doesNotExist();
        assertThat(DatasetVerifier.verify(local)).isEqualTo(expected);
    }

    @Test
    void aFileThatDoesNotMatchItsManifestIsFetchedTwiceThenRefusedNamingTheRemoteFile() throws IOException {
        Path shard = remote.resolve("gen-0000000001/train/docs-00000.npy");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 1] ^= 1;
        Files.write(shard, bytes);
        RemoteDatasetCache c = cache(0);
        assertThatThrownBy(() -> c.localize(uri)).isInstanceOfSatisfying(ShardFormatException.class,
                e -> assertThat(e.file()).isEqualTo(new org.apache.hadoop.fs.Path(shard.toUri()).toString()))
                .hasMessageContaining("checksum mismatch: fetched twice");
        assertThat(c.bytesFetched()).as("the bad file was read twice").isGreaterThanOrEqualTo(2L * bytes.length);
        assertThatThrownBy(() -> Dataset.open(entry(uri))).as("no manifest in the cache: no dataset").isInstanceOf(IOException.class);
    }

    @Test
    void twoTrainersOnOneMachineShareOneCopy() throws Exception {
        RemoteDatasetCache a = cache(0);
        RemoteDatasetCache b = cache(0);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Path> fa = pool.submit(() -> {
                go.await();
                return a.localize(uri);
            });
            Future<Path> fb = pool.submit(() -> {
                go.await();
                return b.localize(uri);
            });
            go.countDown();
            assertThat(fa.get()).isEqualTo(fb.get());
        } finally {
            pool.shutdownNow();
        }
        assertThat(a.bytesFetched() + b.bytesFetched()).as("one download between them").isEqualTo(totalBytes);
        assertThat(DatasetVerifier.verify(entry(uri))).isEqualTo(expected);
    }

    @Test
    void overTheCapTheLeastRecentlyUsedEntryNotInUseIsEvicted() throws IOException {
        Path other = dataset("other", 8);
        String otherUri = other.toUri().toString();
        long cap = totalBytes + bytesUnder(other.resolve("gen-0000000001")) - 1;   // both do not fit
        Path first = cache(cap).localize(uri);
        // That trainer has exited (its lease names this JVM: replace it by a dead process's).
        releaseLeases(first, deadPid());
        Path second = cache(cap).localize(otherUri);
        assertThat(first).doesNotExist();
        assertThat(DatasetVerifier.verify(second)).isNotNull();

        // An entry a live process uses stays, even over the cap.
        Path again = cache(cap).localize(uri);
        releaseLeases(second, ProcessHandle.current().parent().orElseThrow().pid());
        releaseLeases(again, deadPid());
        cache(cap).localize(uri);
        assertThat(second).as("in use by a live process").exists();
    }

    private static void releaseLeases(Path entry, long leasePid) throws IOException {
        try (Stream<Path> s = Files.list(entry)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".in-use-")).toList()) {
                Files.delete(p);
            }
        }
        Files.writeString(entry.resolve(".in-use-" + leasePid), "");
    }

    private static long deadPid() throws IOException {
        Process p = new ProcessBuilder("true").start();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return p.pid();
    }
}
