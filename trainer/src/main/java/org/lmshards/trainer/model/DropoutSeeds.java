package org.lmshards.trainer.model;

/**
 * Seeds of the dropout random generator, a pure function of (run seed, training step, replica),
 * so that a run is reproducible for a given replica count and a resumed run draws the masks an
 * uninterrupted one would. Replica 0's seed is the one a single replica has always used.
 */
public final class DropoutSeeds {
    private DropoutSeeds() {
    }

    /** Seed for step {@code step} of replica 0 (and of a run without replicas): SplitMix64 of seed and step. */
    public static long forStep(long seed, long step) {
        return mix(seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L);
    }

    /** Seed for step {@code step} of replica {@code replica}. */
    public static long forStep(long seed, long step, int replica) {
        long s = forStep(seed, step);
        return replica == 0 ? s : mix(s + replica * 0xD1B54A32D192ED03L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
