package org.lmshards.spark.csv;

import java.util.List;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.lmshards.spark.io.InputFile;
import scala.Tuple2;

/**
 * Spreads rows keyed by their position in the split (the byte offset of the record in the
 * concatenation of the split's files, in sorted order) over partitions of contiguous byte
 * ranges of equal size. Used when there are fewer read units than tokenizing partitions: every
 * partition then holds a run of consecutive documents (with the rows sorted by the same key),
 * as a read unit does, so that a token block always covers consecutive documents and the write
 * stage can cut shards from the cached blocks without a shuffle. A round-robin repartition would
 * scatter every shard's documents over every block.
 */
public final class RowRangePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;

    private final int partitions;
    private final long totalBytes;

    /** {@code partitions} ranges over a split of {@code totalBytes} bytes. */
    public RowRangePartitioner(int partitions, long totalBytes) {
        if (partitions < 1 || totalBytes < 0) {
            throw new IllegalArgumentException("partitions " + partitions + ", bytes " + totalBytes);
        }
        this.partitions = partitions;
        this.totalBytes = Math.max(1, totalBytes);
    }

    /**
     * Too few read units to keep every core busy: spreads the rows (a shuffle of the text) over
     * {@code parts} contiguous ranges of the split's bytes, sorted by position, so that every
     * partition still holds consecutive documents, as a unit does (the write stage relies on it).
     */
    public static JavaRDD<ParsedRow> spread(JavaRDD<ParsedRow> rows, List<InputFile> files, List<InputUnit> units, int parts) {
        long[] fileBase = new long[files.size()];
        for (int f = 1; f < files.size(); f++) {
            fileBase[f] = fileBase[f - 1] + files.get(f - 1).size();
        }
        long[] unitBase = new long[units.size()];
        for (int u = 0; u < units.size(); u++) {
            unitBase[u] = fileBase[units.get(u).file()];
        }
        long splitBytes = files.stream().mapToLong(InputFile::size).sum();
        return rows.mapToPair(r -> new Tuple2<>(unitBase[r.unit()] + r.offset(), r))
                .repartitionAndSortWithinPartitions(new RowRangePartitioner(parts, splitBytes))
                .values();
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        long position = Math.max(0, (Long) key);
        long p = position < Long.MAX_VALUE / partitions ? position * partitions / totalBytes
                : (long) ((double) position / totalBytes * partitions);
        return (int) Math.min(partitions - 1, p);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowRangePartitioner p && p.partitions == partitions && p.totalBytes == totalBytes;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(31L * partitions + totalBytes);
    }
}
