package org.lmshards.core.io;

import java.io.IOException;

/**
 * Where a {@link DirectoryLock} keeps its lock file: the few operations the lock protocol needs,
 * so that one protocol serves local directories ({@link LocalLockStore}) and any other
 * filesystem that offers an atomic create-if-absent.
 */
public interface LockStore {
    /** The lock file, as messages name it. */
    String name();

    /** Creates the lock file with {@code content} unless it exists; atomic. Returns whether it was created. */
    boolean createExclusive(byte[] content) throws IOException;

    /** The lock file's content, or {@code null} when there is none. */
    String read() throws IOException;

    /** The lock file's modification time in ms since the epoch, or -1 when there is none. */
    long modifiedMillis() throws IOException;

    /** Sets the lock file's modification time (the holder's heartbeat). */
    void touch(long millis) throws IOException;

    /** Deletes the lock file if it exists. */
    void delete() throws IOException;

    /** Whether a directory stands where the lock file belongs (then no lock can be taken). */
    default boolean isDirectory() throws IOException {
        return false;
    }
}
