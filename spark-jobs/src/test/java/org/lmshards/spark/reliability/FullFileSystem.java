package org.lmshards.spark.reliability;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local filesystem under the scheme {@code fullfs:} (register with
 * {@code fs.fullfs.impl}), with a disk that fills up: once {@link #setFreeBytes} bytes have been
 * written in this JVM (driver and local-mode executors alike), every further write throws
 * {@code IOException("No space left on device")}, as a full disk does. Used where the test
 * machine does not allow mounting a small tmpfs.
 */
public class FullFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "fullfs";
    private static final AtomicLong FREE = new AtomicLong(Long.MAX_VALUE);
    private static final AtomicLong FAILURES = new AtomicLong();

    /** Bytes that can still be written (Long.MAX_VALUE: unlimited). */
    public static void setFreeBytes(long bytes) {
        FREE.set(bytes);
        FAILURES.set(0);
    }

    /** Writes refused since the last {@link #setFreeBytes}. */
    public static long failures() {
        return FAILURES.get();
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    protected OutputStream createOutputStream(Path f, boolean append) throws IOException {
        return new Filling(super.createOutputStream(f, append));
    }

    @Override
    protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission) throws IOException {
        return new Filling(super.createOutputStreamWithMode(f, append, permission));
    }

    private static final class Filling extends FilterOutputStream {
        Filling(OutputStream out) {
            super(out);
        }

        private void take(int n) throws IOException {
            while (true) {
                long free = FREE.get();
                if (free == Long.MAX_VALUE) {
                    return;
                }
                if (free < n) {
                    FREE.set(0);
                    FAILURES.incrementAndGet();
                    throw new IOException("No space left on device");
                }
                if (FREE.compareAndSet(free, free - n)) {
                    return;
                }
            }
        }

        @Override
        public void write(int b) throws IOException {
            take(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            take(len);
            out.write(b, off, len);
        }
    }
}
