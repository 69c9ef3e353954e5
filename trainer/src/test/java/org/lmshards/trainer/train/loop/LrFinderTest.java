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
        LrFinder.Result r = LrFinder.suggest(points, false, points.size());
        // the longest falling stretch starts at the plateau's last point, 10, and ends at 40: its middle is 25
        assertThat(r.valley()).isCloseTo(Math.pow(10, 25 / 10.0 - 6), within(1e-12));
        assertThat(r.minimum()).isCloseTo(Math.pow(10, 40 / 10.0 - 6) / 10, within(1e-12));
        // the steepest fall per decade is the extra drop into i = 30; fastai names the step by its start, 29
        assertThat(r.steep()).isCloseTo(Math.pow(10, 29 / 10.0 - 6), within(1e-12));
    }

    @Test
    void valleyIgnoresANoisyPlateauBeforeTheFall() {
        // 200 points of plateau whose noise holds a long chain of ever lower values, then a fall
        // of 40 points, then the divergence. A falling subsequence threads the plateau's noise:
        // measured from its first point its middle lies on the plateau (what this finder suggested
        // before, 30 to 170x too low on the small model); fastai's start, end minus length, keeps
        // the suggestion on the fall.
        List<LrFinder.Point> points = new ArrayList<>();
        int plateau = 200, fall = 40;
        for (int i = 0; i < plateau + fall + 30; i++) {
            double loss;
            if (i < plateau) {
                // every tenth point a little lower than the last such point: 20 chained points
                loss = i % 10 == 0 ? 5.2 - i * 0.0005 : 5.3;
            } else if (i < plateau + fall) {
                loss = 5.0 - (i - plateau) * 0.05;
            } else {
                loss = 3.2 + (i - plateau - fall) * 0.2;
            }
            points.add(new LrFinder.Point(i, Math.pow(10, i / 30.0 - 7), loss, loss));
        }
        double[] loss = points.stream().mapToDouble(LrFinder.Point::smoothedLoss).toArray();
        int v = LrFinder.valley(loss);
        // chain: 20 plateau points and the 40 of the fall end at 239 with length 60, so fastai's
        // start is 179 and its suggestion 179 + 20 + 10
        assertThat(v).isEqualTo(209);
        assertThat(v).isBetween(plateau, plateau + fall - 1);
        LrFinder.Result r = LrFinder.suggest(points, false, points.size());
        assertThat(r.valley()).isBetween(points.get(plateau).lr(), points.get(plateau + fall - 1).lr());
        assertThat(r.minimum()).isCloseTo(points.get(plateau + fall - 1).lr() / 10, within(1e-12));
    }

    @Test
    void valleyOfAStretchFromTheFirstPointStaysInsideTheCurve() {
        // end minus length is -1 for a fall from the first point: fastai would index from the end
        assertThat(LrFinder.valley(new double[] {5, 4, 3, 2, 1})).isBetween(0, 4);
        assertThat(LrFinder.valley(new double[] {1})).isZero();
        assertThat(LrFinder.valley(new double[] {1, 2, 3})).isZero();
    }
}
