package org.lmshards.tools.synth;

/**
 * The SplitMix64 generator (Steele, Lea and Flood). Implemented here rather than using
 * {@code java.util.SplittableRandom} because the corpus must be byte-identical on every JDK,
 * and only this arithmetic is pinned down; it is also fast enough for 100 M draws.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        return mix(z);
    }

    /** A uniform double in [0, 1) from the top 53 bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** A uniform int in [0, bound); the modulo bias is negligible for the small bounds used here. */
    int nextInt(int bound) {
        return (int) ((nextLong() >>> 1) % bound);
    }

    /** An int in [min, max], inclusive. */
    int between(int min, int max) {
        return min + nextInt(max - min + 1);
    }

    boolean chance(double p) {
        return nextDouble() < p;
    }

    /** The SplitMix64 finaliser; also used as a stateless hash of a word's rank. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
