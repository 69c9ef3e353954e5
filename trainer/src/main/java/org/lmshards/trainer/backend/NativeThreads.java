package org.lmshards.trainer.backend;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How many threads ND4J's native ops and its BLAS use for one call. Data-parallel replicas each
 * run their calls with one thread: on LSTMs of the trainer's sizes, two intra-op threads are
 * slower than one (docs/BENCHMARKS.md), while independent one-thread callers keep full speed.
 */
public final class NativeThreads {
    private NativeThreads() {
    }

    /** Makes every native call run on its caller's thread alone (OpenMP and BLAS threads 1). */
    public static void onePerCaller() {
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
    }
}
