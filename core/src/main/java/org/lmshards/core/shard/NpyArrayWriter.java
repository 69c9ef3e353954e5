package org.lmshards.core.shard;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Streams one 1-D {@code .npy} array of known length and integer {@link NpyDtype} ({@code <u2},
 * {@code <i4} or {@code <i8}) to any {@link OutputStream} (a local file, HDFS, S3 ...), computing
 * the CRC32C of every byte written. The header follows docs/FORMAT.md (64-byte aligned).
 *
 * <p>The write methods and {@link #close()} report I/O failures as {@link UncheckedIOException}
 * so that they can be called from lambdas; values out of the dtype's range and writing more
 * than {@code length} values throw {@link IllegalArgumentException}/{@link IllegalStateException}.
 * Not thread-safe.
 */
public final class NpyArrayWriter implements Closeable {
    private static final int BUFFER = 64 * 1024;

    private final OutputStream out;
    private final NpyDtype dtype;
    private final int itemSize;
    private final long length;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private long written;
    private boolean closed;

    public NpyArrayWriter(OutputStream out, NpyDtype dtype, long length) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.dtype = requireInteger(dtype);
        this.itemSize = dtype.itemSize();
        this.length = length;
        byte[] header = NpyHeader.encode(dtype.descr(), length);
        crc.update(header);
        out.write(header);
    }

    /** Same as {@code new NpyArrayWriter(out, dtype.npy(), length)}. */
    public NpyArrayWriter(OutputStream out, TokenDtype dtype, long length) throws IOException {
        this(out, dtype.npy(), length);
    }

    /** The byte size of a whole file with this dtype and length (header included). */
    public static long fileSize(NpyDtype dtype, long length) {
        return NpyHeader.encode(requireInteger(dtype).descr(), length).length + dtype.bytes(length);
    }

    private static NpyDtype requireInteger(NpyDtype dtype) {
        return switch (Objects.requireNonNull(dtype, "dtype")) {
            case UINT16, INT32, INT64 -> dtype;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype.descr() + " (use <u2, <i4 or <i8)");
        };
    }

    public void writeInt(int v) {
        reserve(1);
        put(v);
    }

    public void writeInts(int[] a, int off, int len) {
        Objects.checkFromIndexSize(off, len, a.length);
        reserve(len);
        for (int i = off; i < off + len; i++) {
            put(a[i]);
        }
    }

    /**
     * Writes values already encoded as this array's little-endian items ({@code len} bytes, a
     * whole number of items), as a producer that encoded them elsewhere (a Spark task) ships
     * them; the bytes are copied as they are, without a range check per value.
     */
    public void writeEncoded(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len % itemSize != 0) {
            throw new IllegalArgumentException(len + " bytes are not a whole number of " + dtype.descr() + " items");
        }
        reserve(len / itemSize);
        if (len <= buf.remaining()) {
            buf.put(b, off, len);
            return;
        }
        flushBuffer();
        try {
            crc.update(b, off, len);
            out.write(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void writeLong(long v) {
        reserve(1);
        if (itemSize == 8) {
            ensureSpace();
            buf.putLong(v);
        } else {
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("value " + v + " does not fit " + dtype.descr());
            }
            put((int) v);
        }
    }

    private void put(int v) {
        ensureSpace();
        switch (itemSize) {
            case 2 -> {
                if (v < 0 || v > 0xffff) {
                    throw new IllegalArgumentException("value " + v + " does not fit <u2 (0..65535)");
                }
                buf.putShort((short) v);
            }
            case 4 -> buf.putInt(v);
            default -> buf.putLong(v);
        }
    }

    private void reserve(int n) {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        if (written + n > length) {
            throw new IllegalStateException("too many values: " + (written + n) + " written, length is " + length);
        }
        written += n;
    }

    private void ensureSpace() {
        if (buf.remaining() < 8) {
            flushBuffer();
        }
    }

    private void flushBuffer() {
        try {
            crc.update(buf.array(), 0, buf.position());
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Values written so far. */
    public long written() {
        return written;
    }

    /** CRC32C (Castagnoli) of every byte written, header included; valid after {@link #close()}. */
    public long crc32c() {
        if (!closed) {
            throw new IllegalStateException("crc32c() is valid after close()");
        }
        return crc.getValue();
    }

    /**
     * Flushes and closes the stream. Fails with {@link IllegalStateException} (after closing the
     * stream) when fewer than {@code length} values were written; idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (OutputStream o = out) {
            crc.update(buf.array(), 0, buf.position());
            o.write(buf.array(), 0, buf.position());
            buf.clear();
            o.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (written != length) {
            throw new IllegalStateException("too few values: " + written + " written, length is " + length);
        }
    }
}
