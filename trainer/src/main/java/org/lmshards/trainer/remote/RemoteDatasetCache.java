package org.lmshards.trainer.remote;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.lmshards.core.PausePoint;
import org.lmshards.core.ShardFormatException;
import org.lmshards.core.io.DirectoryLock;
import org.lmshards.core.io.LocalLockStore;
import org.lmshards.core.shard.DatasetManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local copies of datasets on Hadoop filesystems ({@code hdfs:}, {@code s3a:}, ...), so that the
 * trainer can memory-map them. One cache entry per dataset URI, itself a format-2 dataset: the
 * current generation's files, then its manifest, written last (docs/FORMAT.md). The copy
 * <ul>
 *   <li>reads the remote manifest first: if the entry already holds the same bytes, nothing else
 *       is read (a cache hit);</li>
 *   <li>streams each file into {@code NAME.part}, checking its size and CRC32C against the
 *       manifest as it goes, and renames it only when it checks out; a {@code .part} left by an
 *       interrupted copy is resumed from where it stopped;</li>
 *   <li>fetches a file that does not check out once more, then fails with a
 *       {@link ShardFormatException} naming the remote file (exit 3);</li>
 *   <li>holds the entry's lock ({@link DirectoryLock}) while it copies: a second trainer on the
 *       same machine waits and then finds the copy complete;</li>
 *   <li>keeps the cache under a size cap by deleting the least recently used entries that no
 *       live process on this host uses (a lease file per process).</li>
 * </ul>
 */
public final class RemoteDatasetCache {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteDatasetCache.class);
    private static final String LAST_USED = ".last-used";
    private static final String LEASE_PREFIX = ".in-use-";
    private static final long WAIT_MS = 500;

    private final Configuration conf;
    private final Path cacheDir;
    private final long maxBytes;
    private final PrintStream progress;
    /** Bytes read from remote files, for tests and the summary line. */
    private final AtomicLong fetched = new AtomicLong();

    /**
     * @param maxBytes the cap on the cache's size, or 0 for none
     * @param progress where the copy reports its progress (a line per 10 %)
     */
    public RemoteDatasetCache(Configuration conf, Path cacheDir, long maxBytes, PrintStream progress) {
        this.conf = conf;
        this.cacheDir = cacheDir;
        this.maxBytes = maxBytes;
        this.progress = progress;
    }

    /** Whether {@code data} names a dataset on a Hadoop filesystem other than the local one. */
    public static boolean isRemote(String data) {
        int colon = data.indexOf(':');
        if (colon < 2 || !data.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            return false;
        }
        return !data.substring(0, colon).equalsIgnoreCase("file");
    }

    /** Bytes read from remote files by this instance. */
    public long bytesFetched() {
        return fetched.get();
    }

    /** The local copy of the current generation of the dataset at {@code uri}, fetched if needed: a local dataset directory. */
    @SuppressWarnings("try") // the resource is held for its scope, not used
    public Path localize(String uri) throws IOException {
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = remote.getFileSystem(conf);
        remote = fs.makeQualified(remote);
        org.apache.hadoop.fs.Path manifestFile = currentManifest(fs, remote);
        byte[] manifestBytes;
        try (InputStream in = fs.open(manifestFile)) {
            manifestBytes = in.readAllBytes();
        }
        DatasetManifest manifest = DatasetManifest.read(new java.io.ByteArrayInputStream(manifestBytes), manifestFile.toString());
        Path entry = cacheDir.resolve(key(remote));
        Files.createDirectories(entry);
        lease(entry);
        try (DirectoryLock lock = acquireWaiting(entry)) {
            Path local = entry.resolve(manifestFile.getName());
            if (Files.isRegularFile(local) && Arrays.equals(Files.readAllBytes(local), manifestBytes)) {
                LOG.info("{}: generation {} already in the cache {}", remote, manifest.generation(), entry);
            } else {
                fetch(fs, new org.apache.hadoop.fs.Path(remote, manifest.directory()), manifest, entry.resolve(manifest.directory()));
                Path tmp = entry.resolve("." + manifestFile.getName() + ".tmp");
                Files.write(tmp, manifestBytes);
                Files.move(tmp, local, StandardCopyOption.ATOMIC_MOVE);
                deleteOtherGenerations(entry, manifest.generation());
            }
        }
        Files.writeString(entry.resolve(LAST_USED), remote.toString());
        Files.setLastModifiedTime(entry.resolve(LAST_USED), FileTime.fromMillis(System.currentTimeMillis()));
        evict(entry);
        return entry;
    }

    private static org.apache.hadoop.fs.Path currentManifest(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
        long best = -1;
        org.apache.hadoop.fs.Path found = null;
        FileStatus[] entries;
        try {
            entries = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            throw new ShardFormatException(dir.toString(), "no such directory", e);
        }
        for (FileStatus st : entries) {
            OptionalLong g = DatasetManifest.generationOfManifest(st.getPath().getName());
            if (st.isFile() && g.isPresent() && g.getAsLong() > best) {
                best = g.getAsLong();
                found = st.getPath();
            }
        }
        if (found == null) {
            throw new ShardFormatException(dir.toString(), "not a dataset: no manifest-*.json (a remote dataset must be"
                    + " written by the Spark job in format 2, docs/FORMAT.md)");
        }
        return found;
    }

    /** The cache entry of a dataset URI: its last name (for people) and a hash of the whole URI. */
    static String key(org.apache.hadoop.fs.Path remote) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(remote.toString().getBytes(StandardCharsets.UTF_8));
            return remote.getName().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits while another live process copies into the entry (the lock protocol takes over dead holders' locks). */
    private static DirectoryLock acquireWaiting(Path entry) throws IOException {
        LocalLockStore store = LocalLockStore.forDirectory(entry);
        boolean told = false;
        while (true) {
            try {
                return DirectoryLock.acquire(store, "the cache entry " + entry + " is being filled", "waiting");
            } catch (DirectoryLock.LockBusyException busy) {
                if (!told) {
                    LOG.info("Waiting for another trainer copying into {} ({})", entry, busy.getMessage());
                    told = true;
                }
                try {
                    Thread.sleep(WAIT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for " + store.name());
                }
            }
        }
    }

    private void fetch(FileSystem fs, org.apache.hadoop.fs.Path remoteGen, DatasetManifest manifest, Path gen) throws IOException {
        List<DatasetManifest.Entry> todo = new ArrayList<>();
        long total = 0;
        for (DatasetManifest.Entry e : manifest.files()) {
            Path target = gen.resolve(e.path());
            // A file gets its final name only once checked, so one of the right size is the checked copy.
            if (!(Files.isRegularFile(target) && Files.size(target) == e.size())) {
                todo.add(e);
                total += e.size();
            }
        }
        Progress p = new Progress(remoteGen.getParent() + " generation " + manifest.generation(), total);
        for (DatasetManifest.Entry e : todo) {
            org.apache.hadoop.fs.Path remoteFile = new org.apache.hadoop.fs.Path(remoteGen, e.path());
            Path target = gen.resolve(e.path());
            Files.createDirectories(target.getParent());
            Path part = target.resolveSibling(target.getFileName() + ".part");
            String problem = copy(fs, remoteFile, part, e, p);
            if (problem != null) {
                LOG.warn("{}: {}; fetching it once more", remoteFile, problem);
                Files.deleteIfExists(part);
                problem = copy(fs, remoteFile, part, e, p);
                if (problem != null) {
                    Files.deleteIfExists(part);
                    throw new ShardFormatException(remoteFile.toString(), "checksum mismatch: fetched twice, " + problem
                            + " (the remote file does not match its manifest)");
                }
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            PausePoint.reached("fetched-" + e.path()); // kill tests: a copy interrupted between two files
        }
        p.done();
    }

    /** Streams the remote file into {@code part}, resuming after what it holds; null when it checks out, else the problem. */
    private String copy(FileSystem fs, org.apache.hadoop.fs.Path remote, Path part, DatasetManifest.Entry e, Progress p)
            throws IOException {
        CRC32C crc = new CRC32C();
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (have > e.size()) {
            Files.delete(part);
            have = 0;
        }
        byte[] buf = new byte[1 << 20];
        if (have > 0) {
            try (InputStream in = Files.newInputStream(part)) {
                for (int r; (r = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, r);
                }
            }
            LOG.info("{}: resuming an interrupted copy after {} of {} bytes", remote, have, e.size());
            p.add(have);
        }
        long n = have;
        try (FSDataInputStream in = fs.open(remote);
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            if (have > 0) {
                in.seek(have);
            }
            for (int r; (r = in.read(buf)) > 0; ) {
                crc.update(buf, 0, r);
                out.write(buf, 0, r);
                n += r;
                fetched.addAndGet(r);
                p.add(r);
                if (n > e.size()) {
                    break;
                }
            }
        }
        if (n != e.size()) {
            return n + " bytes, the manifest says " + e.size();
        }
        if (crc.getValue() != e.crc32c()) {
            return "CRC32C " + crc.getValue() + ", the manifest says " + e.crc32c();
        }
        return null;
    }

    private static void deleteOtherGenerations(Path entry, long keep) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(entry)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                OptionalLong g = DatasetManifest.generationOfManifest(name);
                OptionalLong d = DatasetManifest.generationOfDirectory(name);
                if ((g.isPresent() && g.getAsLong() != keep) || (d.isPresent() && d.getAsLong() != keep)) {
                    deleteTree(p);   // a trainer still mapping its files keeps them: unlinked files live on until unmapped
                }
            }
        }
    }

    /** Marks the entry as used by this process until it exits. */
    private static void lease(Path entry) throws IOException {
        Path lease = entry.resolve(LEASE_PREFIX + ProcessHandle.current().pid());
        Files.writeString(lease, "");
        lease.toFile().deleteOnExit();
    }

    private static boolean inUse(Path entry) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(entry, LEASE_PREFIX + "*")) {
            for (Path lease : ds) {
                try {
                    long pid = Long.parseLong(lease.getFileName().toString().substring(LEASE_PREFIX.length()));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        return true;
                    }
                } catch (NumberFormatException e) {
                    // not ours
                }
            }
        }
        return DirectoryLock.liveHolder(LocalLockStore.forDirectory(entry)).isPresent();
    }

    /** Deletes least recently used entries, never {@code current} nor one in use, until the cache fits {@code maxBytes}. */
    private void evict(Path current) throws IOException {
        if (maxBytes <= 0) {
            return;
        }
        List<Path> entries = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(cacheDir, p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))) {
            for (Path p : ds) {
                entries.add(p);
                total += sizeOf(p);
            }
        }
        entries.sort(Comparator.comparingLong(RemoteDatasetCache::lastUsed));
        for (Path e : entries) {
            if (total <= maxBytes) {
                break;
            }
            if (e.equals(current) || inUse(e)) {
                continue;
            }
            long size = sizeOf(e);
            LOG.info("Evicting {} ({} MB) from the dataset cache (over --cache-max-gb)", e, size >> 20);
            deleteTree(e);
            Files.deleteIfExists(LocalLockStore.lockFile(e));
            total -= size;
        }
        if (total > maxBytes) {
            LOG.warn("The dataset cache {} holds {} MB, over its cap of {} MB: the rest is in use", cacheDir, total >> 20, maxBytes >> 20);
        }
    }

    private static long lastUsed(Path entry) {
        try {
            return Files.getLastModifiedTime(entry.resolve(LAST_USED)).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** A line at every tenth of the copy. */
    private final class Progress {
        private final String what;
        private final long total;
        private long done;
        private int tenths;

        Progress(String what, long total) {
            this.what = what;
            this.total = total;
            if (total > 0) {
                progress.printf(Locale.ROOT, "fetching %s: %.1f MB into the cache%n", what, total / 1e6);
            }
        }

        void add(long n) {
            done += n;
            int t = total == 0 ? 10 : (int) Math.min(10, done * 10 / total);
            if (t > tenths) {
                tenths = t;
                progress.printf(Locale.ROOT, "fetching %s: %d%% (%.1f of %.1f MB)%n", what, t * 10, done / 1e6, total / 1e6);
                progress.flush();
            }
        }

        void done() {
            if (total > 0 && tenths < 10) {
                add(0);
            }
        }
    }
}
