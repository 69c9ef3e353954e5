package org.lmshards.spark.shard;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.lmshards.spark.csv.InputUnit;
import org.lmshards.spark.csv.RejectBatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Assembling a split's document lengths and each block partition's document range from block summaries. */
class DocumentLengthsTest {
    private static final List<InputUnit> UNITS = List.of(InputUnit.wholeFile(0), InputUnit.wholeFile(1));

    private static BlockSummary block(int partition, int[] units, long[] ordinals, int[] lengths) {
        return new BlockSummary(partition, units, ordinals, lengths, RejectBatch.NONE);
    }

    @Test
    void lengthsComeOutInDocumentOrderWhateverTheBlockOrder() {
        List<BlockSummary> blocks = List.of(
                block(1, new int[] {1, 1}, new long[] {0, 1}, new int[] {7, 8}),
                block(0, new int[] {0}, new long[] {1}, new int[] {5}),
                block(0, new int[] {0}, new long[] {0}, new int[] {4}));
        int[][] lengths = DocumentLengths.of("train", UNITS, blocks);
        assertThat(lengths).isDeepEqualTo(new int[][] {{4, 5}, {7, 8}});
        assertThat(DocumentLengths.count(lengths)).isEqualTo(4);
    }

    @Test
    void aDocumentSeenTwiceOrMissingIsAnError() {
        assertThatThrownBy(() -> DocumentLengths.of("train", UNITS, List.of(
                block(0, new int[] {0}, new long[] {0}, new int[] {4}),
                block(1, new int[] {0}, new long[] {0}, new int[] {4}))))
                .hasMessageStartingWith("train: document 0 of unit").hasMessageEndingWith("seen twice");
        assertThatThrownBy(() -> DocumentLengths.of("valid", UNITS, List.of(
                block(0, new int[] {1}, new long[] {1}, new int[] {4}))))
                .hasMessageStartingWith("valid: document 0 of unit").hasMessageEndingWith("is missing");
    }

    @Test
    void partitionRangesHoldConsecutiveDocumentsOrFail() {
        List<BlockSummary> blocks = List.of(
                block(0, new int[] {0, 0}, new long[] {0, 1}, new int[] {4, 5}),
                block(2, new int[] {1}, new long[] {0}, new int[] {7}),
                block(2, new int[] {1}, new long[] {1}, new int[] {8}));
        ShardPlan plan = ShardPlan.plan(DocumentLengths.of("train", UNITS, blocks), 100);
        PartitionDocRanges ranges = PartitionDocRanges.of("train", blocks, plan, 3);
        assertThat(ranges.first()).containsExactly(0, -1, 2);
        assertThat(ranges.end()).containsExactly(2, 0, 4);

        List<BlockSummary> gap = List.of(block(0, new int[] {0, 1}, new long[] {0, 1}, new int[] {4, 8}),
                block(1, new int[] {0, 1}, new long[] {1, 0}, new int[] {5, 7}));
        assertThatThrownBy(() -> PartitionDocRanges.of("train", gap, plan, 2))
                .hasMessage("train: partition 0 holds document 3 after 0 (not consecutive)");
    }
}
