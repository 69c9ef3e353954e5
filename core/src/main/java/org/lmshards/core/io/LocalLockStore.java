package org.lmshards.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;

/** A {@link LockStore} on the local filesystem: {@code .NAME.lock} beside the directory {@code NAME}. */
public final class LocalLockStore implements LockStore {
    private final Path file;

    private LocalLockStore(Path file) {
        this.file = file;
    }

    /** The store of the lock of {@code dir} (which need not exist yet). */
    public static LocalLockStore forDirectory(Path dir) {
        return new LocalLockStore(lockFile(dir));
    }

    /** The lock file of {@code dir}: a sibling, so that it survives the directory being replaced. */
    public static Path lockFile(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (abs.getParent() == null || abs.getFileName() == null) {
            throw new IllegalArgumentException("cannot lock " + dir + ": it has no parent directory");
        }
        return abs.resolveSibling("." + abs.getFileName() + ".lock");
    }

    public Path file() {
        return file;
    }

    @Override
    public String name() {
        return file.toString();
    }

    @Override
    public boolean createExclusive(byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        try {
            // CREATE_NEW is O_EXCL: atomic against every other process
            Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    @Override
    public String read() throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public long modifiedMillis() throws IOException {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public void touch(long millis) throws IOException {
        Files.setLastModifiedTime(file, FileTime.fromMillis(millis));
    }

    @Override
    public boolean isDirectory() {
        return Files.isDirectory(file);
    }

    @Override
    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
