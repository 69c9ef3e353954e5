package org.lmshards.spark.io;

import java.io.Closeable;
import java.io.IOException;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.io.DirectoryLock;

/**
 * An exclusive claim on an output directory: the lock file {@code .NAME.lock} next to it, with
 * core's {@link DirectoryLock} protocol (the one {@code train} uses for its run directory) on the
 * output's Hadoop filesystem: created atomically, refreshed by a heartbeat, and taken over when
 * stale (its holder process on this host is gone, or a remote holder's heartbeat is older than
 * {@value DirectoryLock#STALE_S} s).
 */
public final class OutputLock implements Closeable {
    private final DirectoryLock lock;

    private OutputLock(DirectoryLock lock) {
        this.lock = lock;
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
        try {
            return new OutputLock(DirectoryLock.acquire(new HadoopLockStore(fs, lockPath(output)),
                    "the output " + output + " is being written by another job",
                    "wait for it, or delete the lock file if no job is running"));
        } catch (DirectoryLock.LockBusyException e) {
            throw new OutputBusyException(e.getMessage());
        }
    }

    /** Releases the lock if it is still ours. */
    @Override
    public void close() throws IOException {
        lock.close();
    }
}
