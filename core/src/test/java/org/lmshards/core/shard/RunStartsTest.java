package org.lmshards.core.shard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RunStartsTest {
    /** Runs [0, 3), [3, 4), [4, 10), then the total 10. */
    private static final long[] STARTS = {0, 3, 4, 10};

    @Test
    void findsTheRunHoldingEachPosition() {
        int[] want = {0, 0, 0, 1, 2, 2, 2, 2, 2, 2};
        for (int pos = 0; pos < want.length; pos++) {
            assertThat(RunStarts.runOf(STARTS, 0, STARTS.length - 1, pos)).as("pos %d", pos).isEqualTo(want[pos]);
            assertThat(RunStarts.runOf(STARTS, pos)).as("pos %d", pos).isEqualTo(want[pos]);
        }
    }

    @Test
    void theTotalIsTheLastRunOnlyWhenLeftOutOfTheRange() {
        assertThat(RunStarts.runOf(STARTS, 0, STARTS.length - 1, 10)).isEqualTo(2);
        assertThat(RunStarts.runOf(STARTS, 10)).isEqualTo(3);
        assertThat(RunStarts.runOf(STARTS, 0, STARTS.length - 1, 99)).isEqualTo(2);
    }

    @Test
    void searchesOnlyTheGivenRange() {
        long[] withSlack = {0, 3, 4, 10, 0, 0}; // a reused array whose tail is stale
        assertThat(RunStarts.runOf(withSlack, 0, 4, 5)).isEqualTo(2);
        assertThat(RunStarts.runOf(withSlack, 1, 4, 2)).isZero(); // before the range's first start: from - 1
    }
}
