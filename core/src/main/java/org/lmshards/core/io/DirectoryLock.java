package org.lmshards.core.io;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive claim on a directory by one process: a lock file created atomically
 * (create-if-absent) holding {@code host pid uuid since}. The holder refreshes the file's
 * modification time every {@value #HEARTBEAT_S} s. A lock is stale, and taken over, when its
 * holder process on this host is gone (a killed run) or, for a holder on another host, when its
 * heartbeat is older than {@value #STALE_S} s.
 */
public final class DirectoryLock implements Closeable {
    public static final int HEARTBEAT_S = 10;
    public static final int STALE_S = 120;
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);

    private final LockStore store;
    private final String owner;
    private final ScheduledExecutorService heartbeat;

    private DirectoryLock(LockStore store, String owner) {
        this.store = store;
        this.owner = owner;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lmshards-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT_S, HEARTBEAT_S, TimeUnit.SECONDS);
    }

    /** Thrown when a live process holds the lock; the message names the lock file and its holder. */
    public static final class LockBusyException extends IOException {
        private static final long serialVersionUID = 1L;

        public LockBusyException(String message) {
            super(message);
        }
    }

    /**
     * Claims the lock, taking over a stale one, or fails at once with {@link LockBusyException}
     * whose message is {@code busy + " (lock file F, held by H); " + advice}.
     */
    public static DirectoryLock acquire(LockStore store, String busy, String advice) throws IOException {
        String owner = host() + " " + ProcessHandle.current().pid() + " " + UUID.randomUUID() + " " + Instant.now();
        for (int attempt = 0; attempt < 3; attempt++) {
            if (store.createExclusive((owner + "\n").getBytes(StandardCharsets.UTF_8))) {
                return new DirectoryLock(store, owner);
            }
            if (store.isDirectory()) {
                // not "held by another job" (issue 25): nothing holds it, and nothing could
                throw new IOException(store.name() + " is a directory where the lock file belongs; remove it (no"
                        + " lmshards program makes one) and run again");
            }
            String holder = store.read();
            long mtime = store.modifiedMillis();
            if (holder == null || mtime < 0) {
                continue; // released meanwhile
            }
            String stale = staleReason(holder, mtime);
            if (stale == null) {
                throw busy(store, busy, holder, advice);
            }
            // Re-read just before deleting: another process may have taken it over already.
            if (holder.equals(store.read())) {
                LOG.warn("Taking over the stale lock {} ({}): {}", store.name(), describe(holder), stale);
                store.delete();
            }
        }
        throw new LockBusyException(busy + ": could not claim the lock file " + store.name());
    }

    /** The holder of a live (not stale) lock, described for a message; empty when free or stale. */
    public static Optional<String> liveHolder(LockStore store) throws IOException {
        String holder = store.read();
        long mtime = store.modifiedMillis();
        if (holder == null || mtime < 0 || staleReason(holder, mtime) != null) {
            return Optional.empty();
        }
        return Optional.of(describe(holder));
    }

    private static LockBusyException busy(LockStore store, String busy, String holder, String advice) {
        return new LockBusyException(busy + " (lock file " + store.name() + ", held by " + describe(holder) + "); " + advice);
    }

    private static String staleReason(String holder, long mtime) {
        String[] f = holder.trim().split(" ");
        if (f.length >= 2 && f[0].equals(host())) {
            try {
                long pid = Long.parseLong(f[1]);
                return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? null
                        : "its process " + pid + " on this host is gone";
            } catch (NumberFormatException e) {
                // unreadable owner: fall back to the heartbeat
            }
        }
        long age = System.currentTimeMillis() - mtime;
        return age > STALE_S * 1000L ? "no heartbeat for " + age / 1000 + " s" : null;
    }

    /** {@code host H, pid P, since T} for a holder line written by {@link #acquire}. */
    static String describe(String holder) {
        String[] f = holder.trim().split(" ");
        return f.length >= 4 ? "host " + f[0] + ", pid " + f[1] + ", since " + f[3] : "'" + holder.trim() + "'";
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /** The lock file, as messages name it. */
    public String name() {
        return store.name();
    }

    private void beat() {
        try {
            store.touch(System.currentTimeMillis());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not refresh the lock {}: {}", store.name(), e.toString());
        }
    }

    /** Releases the lock if it is still ours (a holder judged stale may have lost it). */
    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        String now = store.read();
        if (now == null) {
            LOG.warn("The lock {} disappeared before release", store.name());
        } else if (now.trim().equals(owner)) {
            store.delete();
        } else {
            LOG.warn("The lock {} was taken over by another process; leaving it", store.name());
        }
    }
}
