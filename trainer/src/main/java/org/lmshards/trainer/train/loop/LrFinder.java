package org.lmshards.trainer.train.loop;

import java.util.ArrayList;
import java.util.List;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.RowReplicas;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * fastai's learning-rate finder ({@code Learner.lr_find}): trains a fresh copy of the model for
 * up to {@code iterations} batches while the learning rate grows exponentially from
 * {@code startLr} to {@code endLr}, records the loss of each batch and its smoothed value, and
 * stops once the smoothed loss exceeds four times its minimum (the run has diverged). The model
 * is thrown away; only the curve and the suggested learning rates are kept.
 *
 * <p>Suggestions, as fastai names them: {@code valley} (half-way along the longest strictly
 * falling run of the smoothed loss, fastai's default; see {@link #valley}), {@code minimum} (a tenth of the
 * learning rate at the lowest smoothed loss) and {@code steep} (where the smoothed loss falls
 * fastest per decade of learning rate).
 */
public final class LrFinder {
    /** Debiasing moving average of the loss, as fastai's recorder ({@code beta=0.98}). */
    static final double SMOOTHING = 0.98;
    /** Stop once the smoothed loss is this many times its minimum. */
    static final double DIVERGED = 4;

    /** One batch of the sweep. */
    public record Point(int iteration, double lr, double loss, double smoothedLoss) {
    }

    /** The sweep and the learning rates it suggests. */
    public record Result(List<Point> points, double valley, double minimum, double steep, boolean diverged) {
    }

    private LrFinder() {
    }

    /** Learning rate of iteration {@code i} of {@code n}: {@code start * (end/start)^(i/(n-1))}. */
    static double lrAt(double start, double end, int i, int n) {
        return n <= 1 ? start : start * Math.pow(end / start, (double) i / (n - 1));
    }

    public static Result run(LmHyperParams hp, int seqLen, BatchSource train, double startLr, double endLr, int iterations) {
        return run(hp, seqLen, train, startLr, endLr, iterations, 1);
    }

    /** The same sweep trained with {@code replicas} data-parallel row replicas ({@link RowReplicas}). */
    @SuppressWarnings("try") // the resource is held for its scope, not used
    public static Result run(LmHyperParams hp, int seqLen, BatchSource train, double startLr, double endLr, int iterations,
                             int replicas) {
        if (!(startLr > 0 && endLr > startLr) || iterations < 2) {
            throw new IllegalArgumentException("need 0 < start-lr < end-lr and at least 2 iterations: start-lr=" + startLr
                    + " end-lr=" + endLr + " iterations=" + iterations);
        }
        StatefulLmNetwork net = LmNetworks.build(hp, seqLen);
        LmNetworks.initOutputBiasToLogUnigram(net, Trainer.labelCounts(train, hp.vocabSize()));
        net.setCarryState(true);
        try (RowReplicas group = RowReplicas.attach(net, replicas)) {
            return sweep(net, hp, train, startLr, endLr, iterations);
        }
    }

    private static Result sweep(StatefulLmNetwork net, LmHyperParams hp, BatchSource train, double startLr, double endLr,
                                int iterations) {
        List<Point> points = new ArrayList<>();
        double avg = 0, best = Double.POSITIVE_INFINITY;
        boolean diverged = false;
        int epoch = 0;
        train.seek(epoch, 0);
        net.rnnClearPreviousState();
        for (int i = 0; i < iterations; i++) {
            if (!train.hasNext()) {
                train.seek(++epoch, 0);
                net.rnnClearPreviousState();
            }
            DataSet ds = train.next();
            double lr = lrAt(startLr, endLr, i, iterations);
            net.seedDropout(hp.seed(), i);
            AdamConfigWriter.set(net, lr, hp.optimizer().beta1());
            net.fit(ds);
            double loss = net.lastLossSum() / net.lastTokens();
            avg = SMOOTHING * avg + (1 - SMOOTHING) * loss;
            double smooth = avg / (1 - Math.pow(SMOOTHING, i + 1));
            points.add(new Point(i, lr, loss, smooth));
            if (!Double.isFinite(smooth) || smooth > DIVERGED * best) {
                diverged = true;
                break;
            }
            best = Math.min(best, smooth);
        }
        return suggest(points, diverged, iterations);
    }

    /**
     * The three suggestions for a recorded curve, from its points without the first tenth of the
     * planned {@code iterations} (the moving average is still settling there) and the last five
     * (the divergence), as fastai does.
     */
    static Result suggest(List<Point> all, boolean diverged, int iterations) {
        int from = iterations / 10, to = all.size() - 5;
        List<Point> points = to - from >= 3 ? all.subList(from, to) : all;
        int n = points.size();
        double[] loss = new double[n];
        double[] logLr = new double[n];
        for (int i = 0; i < n; i++) {
            loss[i] = points.get(i).smoothedLoss();
            logLr[i] = Math.log10(points.get(i).lr());
        }
        int argMin = 0;
        for (int i = 1; i < n; i++) {
            if (loss[i] < loss[argMin]) {
                argMin = i;
            }
        }
        // fastai's steep: the learning rate at the start of the steepest step of the curve
        int steepest = 0;
        double slope = Double.POSITIVE_INFINITY;
        for (int i = 0; i + 1 < n; i++) {
            double s = (loss[i + 1] - loss[i]) / (logLr[i + 1] - logLr[i]);
            if (s < slope) {
                slope = s;
                steepest = i;
            }
        }
        int valley = valley(loss);
        return new Result(List.copyOf(all), points.get(valley).lr(), points.get(argMin).lr() / 10,
                points.get(steepest).lr(), diverged);
    }

    /**
     * fastai's {@code valley}: the longest strictly falling subsequence of the smoothed loss; its
     * start is taken as its end minus its length, as fastai does, so that a subsequence which
     * picks its way through a noisy plateau before the real fall counts only its length, not the
     * plateau's extent; the suggestion lies half-way along (fastai's {@code int(len/3) +
     * int(len/6)}).
     */
    static int valley(double[] loss) {
        int n = loss.length;
        int[] length = new int[n];
        java.util.Arrays.fill(length, 1);
        int start = 0, end = 0;
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (loss[i] < loss[j] && length[i] < length[j] + 1) {
                    length[i] = length[j] + 1;
                }
                if (length[end] < length[i]) {
                    end = i;
                    start = end - length[end];
                }
            }
        }
        double sections = (end - start) / 3.0;
        // a stretch from the very first point gives start -1 (fastai would then index from the end)
        return Math.max(0, Math.min(n - 1, start + (int) sections + (int) (sections / 2)));
    }
}
