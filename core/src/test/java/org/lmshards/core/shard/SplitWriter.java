package org.lmshards.core.shard;

import org.lmshards.core.io.LocalFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Writes the shards of one split (obtained from {@link DatasetWriter#split}). Tokens stream to
 * a shard file under a temporary name; the shard is closed (header written, fsynced, CRC32C
 * computed, renamed) as soon as it holds at least {@code shardTokens} tokens, always at a
 * document boundary. Not thread-safe.
 */
public final class SplitWriter {
    private static final int BUFFER = 64 * 1024;

    private final String name;
    private final Path dir;
    private final int vocabSize;
    private final TokenDtype dtype;
    private final long shardTokens;
    private final int headerSize;
    private final List<ShardMeta> shards = new ArrayList<>();
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);

    private long totalTokens;
    private long totalDocs;
    private long rejectedRows;
    private boolean finished;

    // the open shard, if any
    private FileChannel ch;
    private Path tmp;
    private long shardCount;
    private long[] offsets = new long[1024];
    private int numOffsets;

    SplitWriter(String name, Path dir, int vocabSize, long shardTokens) {
        this.name = name;
        this.dir = dir;
        this.vocabSize = vocabSize;
        this.dtype = TokenDtype.forVocabSize(vocabSize);
        this.shardTokens = shardTokens;
        // "{'descr': '<xx', 'fortran_order': False, 'shape': (N,), }" is 128 bytes with padding for every N < 10^19
        this.headerSize = NpyHeader.encode(dtype.descr(), 0).length;
        if (NpyHeader.encode(dtype.descr(), Long.MAX_VALUE).length != headerSize) {
            throw new AssertionError("npy header size depends on the length");
        }
    }

    /** Appends one document (non-empty; every id in {@code [0, vocabSize)}). */
    public void addDocument(int[] ids) throws IOException {
        addDocument(ids, 0, ids.length);
    }

    /** Appends {@code ids[off, off+len)} as one document (non-empty; every id in {@code [0, vocabSize)}). */
    public void addDocument(int[] ids, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, ids.length);
        if (finished) {
            throw new IllegalStateException("split " + name + " is already committed");
        }
        if (len == 0) {
            throw new IllegalArgumentException("empty document (the format has no empty documents)");
        }
        for (int i = off; i < off + len; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("id " + ids[i] + " at position " + (i - off)
                        + " of the document is out of range [0, " + vocabSize + ")");
            }
        }
        if (ch == null) {
            openShard();
        }
        for (int i = off; i < off + len; i++) {
            if (buf.remaining() < 4) {
                flush();
            }
            if (dtype == TokenDtype.UINT16) {
                buf.putShort((short) ids[i]);
            } else {
                buf.putInt(ids[i]);
            }
        }
        shardCount += len;
        if (numOffsets == offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
        }
        offsets[numOffsets++] = shardCount;
        if (shardCount >= shardTokens) {
            closeShard();
        }
    }

    /** Records the number of rows rejected for this split (written to meta.json's {@code rejected_rows}). */
    public void rejectedRows(long n) {
        this.rejectedRows = n;
    }

    /** The split name. */
    public String name() {
        return name;
    }

    /** Tokens written so far. */
    public long numTokens() {
        return totalTokens + shardCount;
    }

    /** Documents written so far. */
    public long numDocs() {
        return totalDocs + (ch == null ? 0 : numOffsets - 1);
    }

    private void openShard() throws IOException {
        Path target = dir.resolve(ShardLayout.tokensFile(shards.size()));
        tmp = LocalFiles.tempSibling(target);
        ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        ch.position(headerSize);
        shardCount = 0;
        offsets[0] = 0;
        numOffsets = 1;
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        buf.clear();
    }

    private void closeShard() throws IOException {
        int index = shards.size();
        flush();
        ByteBuffer header = ByteBuffer.wrap(NpyHeader.encode(dtype.descr(), shardCount));
        while (header.hasRemaining()) {
            ch.write(header, header.position());
        }
        ch.force(true);
        long tokensCrc = crc32c(ch);
        ch.close();
        ch = null;
        LocalFiles.moveAtomically(tmp, dir.resolve(ShardLayout.tokensFile(index)));
        tmp = null;

        long[] docCrc = new long[1];
        final long[] offs = offsets;
        final int n = numOffsets;
        LocalFiles.writeAtomically(dir.resolve(ShardLayout.docsFile(index)), out -> {
            NpyArrayWriter w = new NpyArrayWriter(out, ShardLayout.DOCS_DTYPE, n);
            for (int i = 0; i < n; i++) {
                w.writeLong(offs[i]);
            }
            w.close();
            docCrc[0] = w.crc32c();
        });
        long docs = n - 1;
        shards.add(new ShardMeta(index, ShardLayout.tokensFile(index), ShardLayout.docsFile(index), shardCount, docs,
                totalDocs, totalTokens, tokensCrc, docCrc[0]));
        totalTokens += shardCount;
        totalDocs += docs;
        shardCount = 0;
        numOffsets = 0;
    }

    private long crc32c(FileChannel ch) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer b = buf; // empty after flush(); reused to read the file back
        long pos = 0;
        while (true) {
            b.clear();
            int n = ch.read(b, pos);
            if (n < 0) {
                break;
            }
            pos += n;
            b.flip();
            crc.update(b);
        }
        buf.clear();
        return crc.getValue();
    }

    /** Closes the open shard (if any) and returns the split's metadata. */
    SplitMeta finish(java.util.Map<String, Object> tokenizer, java.util.Map<String, Object> source,
            java.util.Map<String, Object> settings, String createdAt, String toolVersion) throws IOException {
        if (ch != null) {
            closeShard();
        }
        finished = true;
        LocalFiles.fsyncDirectory(dir);
        return SplitMeta.ofCurrentFormat(name, dtype.metaName(), vocabSize, totalTokens, totalDocs, shards, tokenizer,
                source, settings, rejectedRows, createdAt, toolVersion);
    }

    /** Abandons the open shard, deleting its temporary file. */
    void abort() throws IOException {
        if (ch != null) {
            ch.close();
            ch = null;
        }
        if (tmp != null) {
            Files.deleteIfExists(tmp);
            tmp = null;
        }
        finished = true;
    }

    Path dir() {
        return dir;
    }
}
