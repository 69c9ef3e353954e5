package org.lmshards.trainer.train.loop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SweepLengthTest {
    @Test
    void autoSweepsOneEpochBetweenTheFloorAndTheCeiling() {
        // wikitext-tiny at bs 32 x seq-len 32: 447 batches an epoch, swept whole
        assertThat(SweepLength.auto(447)).isEqualTo(447);
        // the same corpus at bs 64 x seq-len 72 (99 batches): raised to the floor, not fastai's 100
        assertThat(SweepLength.auto(99)).isEqualTo(SweepLength.MIN).isEqualTo(300);
        assertThat(SweepLength.auto(1)).isEqualTo(300);
        assertThat(SweepLength.auto(300)).isEqualTo(300);
        assertThat(SweepLength.auto(1000)).isEqualTo(1000);
        // WikiText-103 at bs 64 x 72 (about 22,000 batches): capped
        assertThat(SweepLength.auto(22_000)).isEqualTo(SweepLength.MAX).isEqualTo(1000);
        assertThat(SweepLength.auto(Long.MAX_VALUE)).isEqualTo(1000);
    }
}
