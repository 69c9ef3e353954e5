package org.lmshards.spark.csv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RowRangePartitionerTest {

    @Test
    void cutsTheBytesIntoContiguousRangesInOrder() {
        for (int parts : new int[] {1, 2, 3, 7, 64}) {
            for (long total : new long[] {1, 5, 1000, 2_000_000_011L}) {
                RowRangePartitioner p = new RowRangePartitioner(parts, total);
                assertThat(p.numPartitions()).isEqualTo(parts);
                int previous = 0;
                long step = Math.max(1, total / 997);
                for (long pos = 0; pos < total; pos += step) {
                    int i = p.getPartition(pos);
                    assertThat(i).as("%d parts, %d bytes, position %d", parts, total, pos).isBetween(previous, parts - 1);
                    previous = i;
                }
                assertThat(p.getPartition(0L)).isZero();
                if (total >= parts) {
                    assertThat(p.getPartition(total - 1)).isEqualTo(parts - 1);
                }
                if (total <= 1000) {
                    // every position: each partition gets a range of floor or ceil(total / parts) bytes
                    int[] sizes = new int[parts];
                    for (long pos = 0; pos < total; pos++) {
                        sizes[p.getPartition(pos)]++;
                    }
                    for (int size : sizes) {
                        assertThat(size).isBetween((int) (total / parts), (int) ((total + parts - 1) / parts));
                    }
                }
            }
        }
    }

    @Test
    void spreadsEqualRangesOverAllPartitions() {
        RowRangePartitioner p = new RowRangePartitioner(4, 400);
        assertThat(new int[] {p.getPartition(0L), p.getPartition(99L), p.getPartition(100L), p.getPartition(250L), p.getPartition(399L)})
                .containsExactly(0, 0, 1, 2, 3);
        assertThat(p).isEqualTo(new RowRangePartitioner(4, 400)).isNotEqualTo(new RowRangePartitioner(4, 800));
    }
}
