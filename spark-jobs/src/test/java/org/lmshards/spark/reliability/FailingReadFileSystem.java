package org.lmshards.spark.reliability;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.hadoop.fs.BufferedFSInputStream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local filesystem under the scheme {@code eiofs:} (register with {@code fs.eiofs.impl})
 * whose reads fail with {@code IOException("Input/output error")} past byte
 * {@link #setReadableBytes} of a file: an I/O error during a read, after the open succeeded, as a
 * failing disk or a dropped network mount gives.
 */
public class FailingReadFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "eiofs";
    private static final AtomicLong READABLE = new AtomicLong(Long.MAX_VALUE);

    public static void setReadableBytes(long bytes) {
        READABLE.set(bytes);
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
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        FSDataInputStream in = super.open(f, bufferSize);
        return new FSDataInputStream(new BufferedFSInputStream(new Failing(in), bufferSize));
    }

    private static final class Failing extends FSInputStream {
        private final FSDataInputStream in;

        Failing(FSDataInputStream in) {
            this.in = in;
        }

        private int room(int len) throws IOException {
            long left = READABLE.get() - in.getPos();
            if (left <= 0) {
                throw new IOException("Input/output error");
            }
            return (int) Math.min(len, left);
        }

        @Override
        public int read() throws IOException {
            room(1);
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : in.read(b, off, room(len));
        }

        @Override
        public void seek(long pos) throws IOException {
            if (pos < 0) {
                throw new EOFException("negative seek");
            }
            in.seek(pos);
        }

        @Override
        public long getPos() throws IOException {
            return in.getPos();
        }

        @Override
        public boolean seekToNewSource(long targetPos) {
            return false;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
