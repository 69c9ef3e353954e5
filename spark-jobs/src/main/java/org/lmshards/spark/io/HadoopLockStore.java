package org.lmshards.spark.io;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.lmshards.core.io.LockStore;

/** Core's {@link LockStore} on a Hadoop {@link FileSystem}, for the job's {@link OutputLock}. */
final class HadoopLockStore implements LockStore {
    private final FileSystem fs;
    private final Path lock;

    HadoopLockStore(FileSystem fs, Path lock) {
        this.fs = fs;
        this.lock = lock;
    }

    @Override
    public String name() {
        return lock.toString();
    }

    @Override
    public boolean createExclusive(byte[] content) throws IOException {
        fs.mkdirs(lock.getParent());
        if (fs instanceof RawLocalFileSystem raw) {
            // Hadoop's local create(overwrite=false) checks then creates; O_EXCL is atomic.
            try {
                Files.write(raw.pathToFile(lock).toPath(), content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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

    @Override
    public String read() throws IOException {
        try (InputStream in = fs.open(lock)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    @Override
    public long modifiedMillis() throws IOException {
        try {
            return fs.getFileStatus(lock).getModificationTime();
        } catch (FileNotFoundException e) {
            return -1;
        }
    }

    @Override
    public void touch(long millis) throws IOException {
        fs.setTimes(lock, millis, -1);
    }

    @Override
    public boolean isDirectory() throws IOException {
        try {
            return fs.getFileStatus(lock).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @Override
    public void delete() throws IOException {
        fs.delete(lock, false);
    }
}
