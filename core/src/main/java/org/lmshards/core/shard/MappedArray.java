package org.lmshards.core.shard;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A little-endian array of 2-, 4- or 8-byte elements in a file, memory-mapped in chunks of at
 * most {@code maxMapBytes} (a single mapping cannot exceed 2 GiB), so arrays of any size work.
 * Never copied onto the heap. Reads use absolute gets only, so it is safe for concurrent readers.
 */
final class MappedArray {
    final int elemSize;
    final long length;
    /** Elements per chunk (all chunks but the last are full). */
    final long chunkElems;
    final MappedByteBuffer[] chunks;

    private MappedArray(int elemSize, long length, long chunkElems, MappedByteBuffer[] chunks) {
        this.elemSize = elemSize;
        this.length = length;
        this.chunkElems = chunkElems;
        this.chunks = chunks;
    }

    static MappedArray map(FileChannel ch, long dataOffset, long length, int elemSize, long maxMapBytes)
            throws IOException {
        long chunkElems = Math.max(1, Math.min(maxMapBytes, Integer.MAX_VALUE) / elemSize);
        int n = (int) ((length + chunkElems - 1) / chunkElems);
        MappedByteBuffer[] chunks = new MappedByteBuffer[n];
        for (int c = 0; c < n; c++) {
            long first = c * chunkElems;
            long count = Math.min(chunkElems, length - first);
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, dataOffset + first * elemSize, count * elemSize);
            b.order(ByteOrder.LITTLE_ENDIAN);
            chunks[c] = b;
        }
        return new MappedArray(elemSize, length, chunkElems, chunks);
    }

    /** Number of elements in chunk {@code c}. */
    int chunkLength(int c) {
        return (int) Math.min(chunkElems, length - c * chunkElems);
    }

    long getLong(long i) {
        int c = (int) (i / chunkElems);
        return chunks[c].getLong((int) (i - c * chunkElems) * 8);
    }
}
