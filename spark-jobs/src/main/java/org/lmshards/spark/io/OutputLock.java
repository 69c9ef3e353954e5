package org.lmshards.spark.io;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive claim on an output directory: the lock file {@code .NAME.lock} next to it,
 * created atomically (create-if-absent). The holder refreshes the file's modification time
 * every {@value #HEARTBEAT_S} s; a lock whose heartbeat is older than {@value #STALE_S} s, or
 * whose holder process on this host is gone (a killed job), is stale and taken over.
 */
public final class OutputLock implements Closeable {
    static final int HEARTBEAT_S = 10;
    static final int STALE_S = 120;
    private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);

    private final FileSystem fs;
    private final Path lock;
    private final String owner;
    private final ScheduledExecutorService heartbeat;

    private OutputLock(FileSystem fs, Path lock, String owner) {
        this.fs = fs;
        this.lock = lock;
        this.owner = owner;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lmshards-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT_S, HEARTBEAT_S, TimeUnit.SECONDS);
    }

    /** Thrown when another live job holds the output. */
    public static final class OutputBusyException extends IOException {
        public OutputBusyException(String message) {
            super(message);
        }
    }

    public static Path lockPath(Path output) {
        return new Path(output.getParent(), "." + output.getName() + ".lock");
    }

    public static OutputLock acquire(FileSystem fs, Path output) throws IOException {
        Path lock = lockPath(output);
        fs.mkdirs(lock.getParent());
        String owner = host() + " " + ProcessHandle.current().pid() + " " + UUID.randomUUID() + " " + Instant.now();
        for (int attempt = 0; attempt < 2; attempt++) {
            if (tryCreate(fs, lock, owner)) {
                return new OutputLock(fs, lock, owner);
            }
            String holder;
            long mtime;
            try {
                holder = read(fs, lock);
                mtime = fs.getFileStatus(lock).getModificationTime();
            } catch (FileNotFoundException gone) {
                continue;   // released meanwhile: try again
            }
            String stale = staleReason(holder, mtime);
            if (stale == null) {
                throw new OutputBusyException("the output " + output + " is being written by another job (lock file " + lock
                        + ", held by " + describe(holder) + "); wait for it, or delete the lock file if no job is running");
            }
            LOG.warn("Taking over the stale lock {} ({}): {}", lock, describe(holder), stale);
            fs.delete(lock, false);
        }
        throw new OutputBusyException("could not claim the lock file " + lock + " for " + output);
    }

    private static boolean tryCreate(FileSystem fs, Path lock, String owner) throws IOException {
        byte[] content = (owner + "\n").getBytes(StandardCharsets.UTF_8);
        if (fs instanceof RawLocalFileSystem raw) {
            // Hadoop's local create(overwrite=false) checks then creates; O_EXCL is atomic.
            try {
                Files.write(raw.pathToFile(lock).toPath(), content, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        try (OutputStream out = fs.create(lock, false)) {
            out.write(content);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(lock)) {
                return false;
            }
            throw e;
        }
    }

    private static String staleReason(String holder, long mtime) {
        String[] f = holder.trim().split(" ");
        if (f.length >= 2 && f[0].equals(host())) {
            try {
                long pid = Long.parseLong(f[1]);
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    return null;
                }
                return "its process " + pid + " on this host is gone";
            } catch (NumberFormatException e) {
                // unreadable owner: fall back to the heartbeat
            }
        }
        long age = System.currentTimeMillis() - mtime;
        return age > STALE_S * 1000L ? "no heartbeat for " + age / 1000 + " s" : null;
    }

    private static String describe(String holder) {
        String[] f = holder.trim().split(" ");
        return f.length >= 4 ? "host " + f[0] + ", pid " + f[1] + ", since " + f[3] : "'" + holder.trim() + "'";
    }

    private static String read(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private void beat() {
        try {
            fs.setTimes(lock, System.currentTimeMillis(), -1);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not refresh the lock {}: {}", lock, e.toString());
        }
    }

    /** Releases the lock if it is still ours. */
    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        try {
            if (read(fs, lock).trim().equals(owner)) {
                fs.delete(lock, false);
            } else {
                LOG.warn("The lock {} was taken over by another job; leaving it", lock);
            }
        } catch (FileNotFoundException e) {
            LOG.warn("The lock {} disappeared before release", lock);
        }
    }
}
