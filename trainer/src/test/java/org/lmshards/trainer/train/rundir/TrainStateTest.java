package org.lmshards.trainer.train.rundir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainStateTest {
    private static final EpochMetrics FIRST = new EpochMetrics(1, 5.0, 4.0, 54.6, 1000, 2.0);

    @Test
    void batchesAddUpAndANewEpochStartsFromZeroKeepingTheStep() {
        TrainState s = TrainState.start().afterBatch(6.0, 3).afterBatch(4.0, 2).withEpochSeconds(1.5);
        assertThat(s).isEqualTo(new TrainState(0, 2, 2, 0, 0, 10.0, 5, 1.5, List.of()));

        TrainState next = s.withCounters(7, 1).withMetrics(List.of(FIRST)).startingEpoch(1);
        assertThat(next).isEqualTo(new TrainState(1, 0, 2, 7, 1, 0, 0, 0, List.of(FIRST)));
    }
}
