package org.lmshards.trainer.data;

import java.util.SplittableRandom;

/**
 * The seeded document permutation of an epoch: a function of {@code (seed, epoch)} only, so a
 * resumed run sees the same order as an uninterrupted one.
 */
final class DocumentShuffle {
    private DocumentShuffle() {
    }

    /** Fills {@code perm[0..n)} with a uniformly random permutation of {@code 0..n-1} for this epoch. */
    static void permutation(long seed, int epoch, int[] perm, int n) {
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(mix64(mix64(seed) + epoch));
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int k = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[k];
            perm[k] = t;
        }
    }

    /** Stafford's variant 13 finalizer: decorrelates nearby seeds and epochs. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
