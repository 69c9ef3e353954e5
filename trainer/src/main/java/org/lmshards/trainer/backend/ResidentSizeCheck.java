package org.lmshards.trainer.backend;

import java.util.Locale;
import java.util.function.LongSupplier;
import org.bytedeco.javacpp.Pointer;

/**
 * The trainer's limit on its native memory: JavaCPP's resident-size check, moved from every
 * native allocation to once a training step or evaluated batch.
 *
 * <p>With {@value #PROPERTY} above 0 (JavaCPP's default: twice the heap's maximum), every native
 * pointer JavaCPP allocates first reads the process's resident size (its anonymous pages) from
 * the kernel, inside a lock all threads share, and collects garbage while it is above the limit.
 * ND4J allocates such pointers for the arguments of every op it runs: on the small model that
 * read took 8.7% of the training thread's samples (JFR; docs/BENCHMARKS.md), and with replicas
 * every thread queues for the lock. So {@link #takeOver} turns JavaCPP's check off, and
 * {@link #check} applies the same limit to the same reading once a step: above it, it collects
 * garbage (native arrays are freed with their Java objects) and throws the
 * {@link OutOfMemoryError} the trainer reports as "out of memory, try a smaller --bs" if that
 * does not bring it below, as JavaCPP's check did. A limit the user set with {@value #PROPERTY}
 * is left to JavaCPP.
 */
public final class ResidentSizeCheck {
    /** JavaCPP's limit on the process's resident size, in bytes; 0 turns JavaCPP's check off. */
    public static final String PROPERTY = "org.bytedeco.javacpp.maxPhysicalBytes";
    /** Collections tried before giving up, as JavaCPP's own check does (10 tries, 100 ms apart). */
    static final int RECLAIM_TRIES = 10;
    private static final long RECLAIM_WAIT_MS = 100;

    private static volatile ResidentSizeCheck installed = new ResidentSizeCheck(0, () -> 0, () -> { });

    private final long limit;
    private final LongSupplier residentBytes;
    private final Runnable reclaim;

    ResidentSizeCheck(long limit, LongSupplier residentBytes, Runnable reclaim) {
        this.limit = limit;
        this.residentBytes = residentBytes;
        this.reclaim = reclaim;
    }

    /**
     * Turns JavaCPP's per-allocation check off and this one on, with JavaCPP's default limit,
     * unless {@value #PROPERTY} is set. Must run before ND4J loads (JavaCPP reads the property
     * once): first thing in {@code main}, and at the start of a test run. Returns the property's value.
     */
    public static synchronized String takeOver() {
        String given = System.getProperty(PROPERTY);
        if (given != null) {
            return given;
        }
        System.setProperty(PROPERTY, "0");
        installed = new ResidentSizeCheck(2 * Runtime.getRuntime().maxMemory(), Pointer::physicalBytes,
                ResidentSizeCheck::collectGarbage);
        return "0";
    }

    /** Checks the installed limit; throws {@link OutOfMemoryError} if the process stays above it. */
    public static void check() {
        installed.checkNow();
    }

    /** The limit in bytes; 0 when this check is off. */
    public static long limit() {
        return installed.limit;
    }

    void checkNow() {
        if (limit <= 0) {
            return;
        }
        long used = residentBytes.getAsLong();
        for (int i = 0; i < RECLAIM_TRIES && used > limit; i++) {
            reclaim.run();
            used = residentBytes.getAsLong();
        }
        if (used > limit) {
            throw new OutOfMemoryError(String.format(Locale.ROOT, "Physical memory usage is too high: resident"
                    + " memory %,d bytes > limit %,d (twice the heap's maximum; -D%s=BYTES sets another)",
                    used, limit, PROPERTY));
        }
    }

    private static void collectGarbage() {
        System.gc();
        try {
            Thread.sleep(RECLAIM_WAIT_MS); // the deallocator threads free the native memory after the collection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
