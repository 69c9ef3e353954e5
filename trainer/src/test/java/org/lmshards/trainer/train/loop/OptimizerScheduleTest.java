package org.lmshards.trainer.train.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.LrSchedule;
import org.lmshards.trainer.model.OptimizerSettings;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

class OptimizerScheduleTest {
    static LmHyperParams hp(LrSchedule schedule) {
        return new LmHyperParams(17, 8, 16, 1, 0, 0, 0, 0, 0, 1e-2, 0.1, 0.25, 3,
                OptimizerSettings.DEFAULTS.withSchedule(schedule));
    }

    @Test
    void oneCycleFollowsFastaisCombinedCosineAtKnownSteps() {
        OptimizerSchedule s = new OptimizerSchedule(hp(LrSchedule.ONE_CYCLE), 1000); // warm-up: 250 steps
        assertThat(s.lr(0)).isCloseTo(1e-2 / 25, within(1e-12));
        assertThat(s.beta1(0)).isCloseTo(0.95, within(1e-12));
        assertThat(s.lr(125)).isCloseTo((1e-2 / 25 + 1e-2) / 2, within(1e-12)); // half-way up the cosine
        assertThat(s.beta1(125)).isCloseTo(0.90, within(1e-12));
        assertThat(s.lr(250)).isCloseTo(1e-2, within(1e-12));
        assertThat(s.beta1(250)).isCloseTo(0.85, within(1e-12));
        assertThat(s.lr(625)).isCloseTo((1e-2 + 1e-2 / 1e5) / 2, within(1e-12)); // half-way down
        assertThat(s.beta1(625)).isCloseTo(0.90, within(1e-12));
        assertThat(s.lr(999)).isCloseTo(1e-7, within(1e-7)).isGreaterThan(1e-7);
        for (int step = 1; step < 1000; step++) {
            if (step <= 250) {
                assertThat(s.lr(step)).isGreaterThan(s.lr(step - 1));
            } else {
                assertThat(s.lr(step)).isLessThan(s.lr(step - 1));
            }
        }
    }

    @Test
    void constantScheduleKeepsLrAndBeta1() {
        OptimizerSchedule s = new OptimizerSchedule(hp(LrSchedule.CONSTANT), 10);
        for (int step = 0; step < 10; step++) {
            assertThat(s.lr(step)).isEqualTo(1e-2);
            assertThat(s.beta1(step)).isEqualTo(0.9);
        }
    }

    @Test
    void theKnobsReachDl4jsUpdaterAndItsDecoupledWeightDecay() {
        StatefulLmNetwork net = LmNetworks.build(hp(LrSchedule.CONSTANT), 8);
        ArrayBatchSource src = new ArrayBatchSource(TrainerTest.randomCorpus(4 * 8 * 2 + 1, 17, 1), 4, 8, 17);
        src.seek(0, 0);
        DataSet ds = src.next();
        INDArray before = net.params().dup();
        AdamConfigWriter.set(net, 0, 0.9); // no step at all: weight decay 0.1 is multiplied by the same lr
        net.fit(ds);
        assertThat(net.params()).isEqualTo(before);
        AdamConfigWriter.set(net, 1e-2, 0.9);
        net.fit(ds);
        assertThat(net.params()).isNotEqualTo(before);
    }
}
