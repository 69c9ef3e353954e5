package org.lmshards.core.io;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.testing.ChildProcesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryLockTest {
    private static final String BUSY = "the directory is in use", ADVICE = "wait for it";

    @TempDir
    Path tmp;

    @SuppressWarnings("try") // the lock is held, not used
    @Test
    void aSecondClaimIsRefusedNamingTheLockAndItsHolderUntilTheFirstIsReleased() throws Exception {
        Path dir = tmp.resolve("run");
        LocalLockStore store = LocalLockStore.forDirectory(dir);
        assertThat(store.file()).isEqualTo(tmp.resolve(".run.lock"));
        try (DirectoryLock held = DirectoryLock.acquire(store, BUSY, ADVICE)) {
            assertThat(store.file()).isRegularFile();
            assertThat(Files.readString(store.file())).startsWith(InetAddress.getLocalHost().getHostName() + " "
                    + ProcessHandle.current().pid() + " ");
            assertThatThrownBy(() -> DirectoryLock.acquire(LocalLockStore.forDirectory(tmp.resolve("x/../run")), BUSY, ADVICE))
                    .isInstanceOf(DirectoryLock.LockBusyException.class)
                    .hasMessageStartingWith(BUSY + " (lock file " + store.file() + ", held by host ")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageEndingWith("); " + ADVICE);
            assertThat(DirectoryLock.liveHolder(store)).get().asString().contains("pid " + ProcessHandle.current().pid());
        }
        assertThat(store.file()).doesNotExist();
        assertThat(DirectoryLock.liveHolder(store)).isEmpty();
        DirectoryLock.acquire(store, BUSY, ADVICE).close();
    }

    @SuppressWarnings("try") // the lock is held, not used
    @Test
    void aLockOfADeadProcessOnThisHostIsTakenOver() throws Exception {
        // Not the pid of a process that ended: the system may give it to a new process (issue 25).
        long gone = ChildProcesses.pidThatCannotExist();
        LocalLockStore store = LocalLockStore.forDirectory(tmp.resolve("run"));
        Files.writeString(store.file(), InetAddress.getLocalHost().getHostName() + " " + gone + " u 2026-01-01T00:00:00Z\n");
        assertThat(DirectoryLock.liveHolder(store)).isEmpty();
        try (DirectoryLock taken = DirectoryLock.acquire(store, BUSY, ADVICE)) {
            assertThat(Files.readString(store.file())).contains(" " + ProcessHandle.current().pid() + " ");
        }
        assertThat(store.file()).doesNotExist();
    }

    /** Issue 25: nothing holds a directory standing where the lock file belongs; say that, not "in use". */
    @Test
    void aDirectoryWhereTheLockFileBelongsIsNamed() throws Exception {
        LocalLockStore store = LocalLockStore.forDirectory(tmp.resolve("run"));
        Files.createDirectories(store.file());
        assertThatThrownBy(() -> DirectoryLock.acquire(store, BUSY, ADVICE))
                .isNotInstanceOf(DirectoryLock.LockBusyException.class)
                .hasMessage(store.file() + " is a directory where the lock file belongs; remove it (no lmshards program"
                        + " makes one) and run again");
        assertThat(store.file()).isDirectory();
    }

    @Test
    void aLockFromAnotherHostIsStaleOnlyWithoutAHeartbeat() throws Exception {
        LocalLockStore store = LocalLockStore.forDirectory(tmp.resolve("run"));
        Files.writeString(store.file(), "other-host 1 u 2026-01-01T00:00:00Z\n");
        assertThatThrownBy(() -> DirectoryLock.acquire(store, BUSY, ADVICE))
                .hasMessageContaining("held by host other-host, pid 1, since 2026-01-01T00:00:00Z");
        Files.setLastModifiedTime(store.file(), FileTime.fromMillis(System.currentTimeMillis()
                - (DirectoryLock.STALE_S + 5) * 1000L));
        assertThat(DirectoryLock.liveHolder(store)).isEmpty();
        DirectoryLock.acquire(store, BUSY, ADVICE).close();
        assertThat(store.file()).doesNotExist();
    }

    @Test
    void releaseLeavesALockThatAnotherProcessTookOver() throws Exception {
        LocalLockStore store = LocalLockStore.forDirectory(tmp.resolve("run"));
        DirectoryLock mine = DirectoryLock.acquire(store, BUSY, ADVICE);
        Files.writeString(store.file(), "other-host 1 u 2026-01-01T00:00:00Z\n");
        mine.close();
        assertThat(Files.readString(store.file())).startsWith("other-host 1 ");
    }

    /** Eight threads claim at the same instant: the atomic create lets exactly one win. */
    @Test
    void concurrentClaimsHaveExactlyOneWinner() throws Exception {
        LocalLockStore store = LocalLockStore.forDirectory(tmp.resolve("run"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<DirectoryLock>> claims = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            claims.add(pool.submit(() -> {
                start.await();
                try {
                    return DirectoryLock.acquire(store, BUSY, ADVICE);
                } catch (DirectoryLock.LockBusyException e) {
                    return null;
                }
            }));
        }
        start.countDown();
        List<DirectoryLock> won = new ArrayList<>();
        for (Future<DirectoryLock> f : claims) {
            if (f.get() != null) {
                won.add(f.get());
            }
        }
        pool.shutdown();
        assertThat(won).hasSize(1);
        won.get(0).close();
        assertThat(store.file()).doesNotExist();
    }
}
