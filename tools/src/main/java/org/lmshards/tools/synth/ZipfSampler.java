package org.lmshards.tools.synth;

/**
 * Draws ranks {@code 1..n} with probability proportional to {@code (rank + shift)^-exponent}
 * (the Zipf-Mandelbrot law; the shift flattens the head so that "the" is a few per cent of
 * the words, as in English, instead of a fifth).
 *
 * <p>Sampling from a Zipf law over a large support is what makes the vocabulary keep growing
 * with corpus size (Heaps' law): rarer ranks only show up once enough tokens have been drawn.
 * Inverse-CDF over a cumulative table, with a guide table so that a draw touches a handful of
 * entries instead of a full binary search. The table is built with {@link StrictMath} so that
 * it is bit-identical on every JVM.
 */
final class ZipfSampler {
    private static final int GUIDE_BITS = 16;

    private final double[] cumulative;   // cumulative[i] = P(rank <= i + 1), last entry 1.0
    private final int[] guide;           // guide[b] = first index whose cumulative value > b / 2^GUIDE_BITS

    ZipfSampler(int n, double exponent, double shift) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1: " + n);
        }
        cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += StrictMath.pow(i + 1 + shift, -exponent);
            cumulative[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
        cumulative[n - 1] = 1.0;
        int buckets = 1 << GUIDE_BITS;
        guide = new int[buckets + 1];
        int idx = 0;
        for (int b = 0; b <= buckets; b++) {
            double lower = (double) b / buckets;
            while (idx < n - 1 && cumulative[idx] <= lower) {
                idx++;
            }
            guide[b] = idx;
        }
    }

    int size() {
        return cumulative.length;
    }

    /** A rank in {@code 1..size()}. */
    int sample(SplitMix64 rnd) {
        double u = rnd.nextDouble();
        int b = (int) (u * (1 << GUIDE_BITS));
        int lo = guide[b];
        int hi = guide[b + 1];
        // smallest index in [lo, hi] with cumulative[index] > u
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo + 1;
    }
}
