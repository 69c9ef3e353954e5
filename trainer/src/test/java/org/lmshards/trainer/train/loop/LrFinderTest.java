package org.lmshards.trainer.train.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lmshards.trainer.model.LmHyperParams;

class LrFinderTest {
    @Test
    void sweepsExponentiallyAndStopsOnceTheLossDiverges() {
        int vocab = 17;
        LmHyperParams hp = new LmHyperParams(vocab, 16, 32, 1, 0, 0, 0, 0, 0, 1e-2, 0, 0, 2);
        ArrayBatchSource train = new ArrayBatchSource(TrainerTest.randomCorpus(4 * 8 * 10 + 1, vocab, 4), 4, 8, vocab);
        // 10 batches per epoch: the sweep wraps into further epochs
        LrFinder.Result r = LrFinder.run(hp, 8, train, 1e-5, 1e8, 100);
        List<LrFinder.Point> p = r.points();
        assertThat(p.get(0).lr()).isEqualTo(1e-5);
        for (int i = 1; i < p.size(); i++) {
            assertThat(p.get(i).lr() / p.get(i - 1).lr()).isCloseTo(Math.pow(1e13, 1.0 / 99), within(1e-9));
        }
        // Adam at lr 1e8 cannot train: the sweep stops before its end, four times above the best smoothed loss
        assertThat(r.diverged()).as("smoothed losses %s", p.stream().map(LrFinder.Point::smoothedLoss).toList()).isTrue();
        assertThat(p.size()).isLessThan(100);
        double best = p.stream().limit(p.size() - 1).mapToDouble(LrFinder.Point::smoothedLoss).min().orElseThrow();
        double last = p.get(p.size() - 1).smoothedLoss();
        assertThat(!Double.isFinite(last) || last > 4 * best).isTrue();
        // the suggestions lie where the loss still falls, below the divergence
        assertThat(r.valley()).isBetween(1e-5, p.get(p.size() - 1).lr());
        assertThat(r.minimum()).isLessThan(p.get(p.size() - 1).lr() / 10);
    }

    @Test
    void suggestionsOfAKnownCurve() {
        // flat up to i = 10, falling to i = 40 (with an extra drop into i = 30), then rising: lr = 10^(i/10 - 6)
        List<LrFinder.Point> points = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            double loss = i < 10 ? 5 : i <= 40 ? 5 - (i - 10) * 0.1 - (i == 30 ? 0.5 : 0) : 2 + (i - 40) * 0.3;
            points.add(new LrFinder.Point(i, Math.pow(10, i / 10.0 - 6), loss, loss));
        }
        LrFinder.Result r = LrFinder.suggest(points, false);
        // the longest falling stretch starts at the plateau's last point, 10, and ends at 40: its middle is 25
        assertThat(r.valley()).isCloseTo(Math.pow(10, 25 / 10.0 - 6), within(1e-12));
        assertThat(r.minimum()).isCloseTo(Math.pow(10, 40 / 10.0 - 6) / 10, within(1e-12));
        // the steepest fall per decade is the extra drop into i = 30
        assertThat(r.steep()).isCloseTo(Math.pow(10, 30 / 10.0 - 6), within(1e-12));
    }
}
