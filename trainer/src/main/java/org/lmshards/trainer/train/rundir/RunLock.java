package org.lmshards.trainer.train.rundir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.lmshards.core.io.DirectoryLock;
import org.lmshards.core.io.LocalLockStore;

/**
 * The lock of a run directory ({@code .RUN_DIR.lock} beside it, core's {@link DirectoryLock}):
 * {@code train} holds it for the whole run, so a second {@code train} on the same directory is
 * refused at once; {@code evaluate} and {@code generate} refuse to read while a live
 * {@code train} holds it. A lock left by a killed run is stale and taken over.
 */
public final class RunLock {
    private RunLock() {
    }

    /** Claims {@code runDir} for training, or throws {@link DirectoryLock.LockBusyException} naming the lock. */
    public static DirectoryLock forTraining(Path runDir) throws IOException {
        return DirectoryLock.acquire(LocalLockStore.forDirectory(runDir),
                "the run directory " + runDir + " is being written by another train",
                "wait for it to finish, or delete the lock file if no train is running");
    }

    /** Refuses (naming the lock and its holder) while a live {@code train} writes {@code runDir}. */
    public static void requireNoTraining(Path runDir) throws IOException {
        LocalLockStore store = LocalLockStore.forDirectory(runDir);
        Optional<String> holder = DirectoryLock.liveHolder(store);
        if (holder.isPresent()) {
            throw new DirectoryLock.LockBusyException("the run directory " + runDir + " is being written by a train"
                    + " (lock file " + store.name() + ", held by " + holder.get() + "); wait for it to finish");
        }
    }
}
