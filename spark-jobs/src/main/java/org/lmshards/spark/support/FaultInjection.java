package org.lmshards.spark.support;

import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;

import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.lmshards.core.PausePoint;

/**
 * Test hooks for the fault-injection suites (docs/SPARK.md lists them). Inert unless the
 * properties are set.
 *
 * <ul>
 *   <li>{@code -Dlmshards.fault.haltAt=POINT}: the JVM halts (as if SIGKILLed, exit status 137)
 *       when the driver reaches the named commit point; see {@link #haltPoint}.</li>
 *   <li>{@code lmshards.fault.failFirstAttempt=SPLIT-STAGE:PARTITION,...} (system property or
 *       Spark conf {@code spark.lmshards.fault.failFirstAttempt}), e.g. {@code train-write:2};
 *       STAGE is {@code read} (partition = read unit), {@code tokenize} or {@code write}
 *       (partition = shard index): the first attempt of those tasks throws after doing its
 *       work (for {@code write}, after its shard files are written).</li>
 *   <li>{@code lmshards.fault.slowFirstAttempt=SPLIT-STAGE:PARTITION,...} (or Spark conf
 *       {@code spark.lmshards.fault.slowFirstAttempt}): at the same point, the first attempt of
 *       those tasks stalls until Spark kills it, or at most {@value #MAX_STALL_SECONDS} s, so
 *       that speculative execution launches a second attempt that wins.</li>
 *   <li>{@code -Dlmshards.fault.pauseAt=POINT} (core {@link PausePoint}): the JVM pauses at a
 *       commit point, or at {@code SPLIT-STAGE:PARTITION} in the first attempt of that task once
 *       its work is done, so that a test SIGKILLs it exactly there.</li>
 * </ul>
 */
public final class FaultInjection implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String HALT_PROPERTY = "lmshards.fault.haltAt";
    public static final String FAIL_PROPERTY = "lmshards.fault.failFirstAttempt";
    public static final String SLOW_PROPERTY = "lmshards.fault.slowFirstAttempt";
    static final int MAX_STALL_SECONDS = 300;

    /** Failures injected in this JVM so far (local mode: lets a test see that retries really happened). */
    public static final java.util.concurrent.atomic.AtomicInteger INJECTED = new java.util.concurrent.atomic.AtomicInteger();

    private final Set<String> failFirstAttempt;
    private final Set<String> slowFirstAttempt;

    private FaultInjection(Set<String> failFirstAttempt, Set<String> slowFirstAttempt) {
        this.failFirstAttempt = failFirstAttempt;
        this.slowFirstAttempt = slowFirstAttempt;
    }

    /**
     * Reads the task-fault settings on the driver (they travel to the executors with the
     * closures): the Spark conf values of {@code failFirstAttempt} and {@code slowFirstAttempt}
     * (null or empty: none), merged with the system properties.
     */
    public static FaultInjection fromSettings(String failConf, String slowConf) {
        return new FaultInjection(targets(System.getProperty(FAIL_PROPERTY, ""), failConf),
                targets(System.getProperty(SLOW_PROPERTY, ""), slowConf));
    }

    /** {@link #fromSettings} with the Spark conf values of {@code spark.}{@value #FAIL_PROPERTY} and {@code spark.}{@value #SLOW_PROPERTY}. */
    public static FaultInjection fromSparkConf(SparkConf conf) {
        return fromSettings(conf.get("spark." + FAIL_PROPERTY, ""), conf.get("spark." + SLOW_PROPERTY, ""));
    }

    private static Set<String> targets(String... values) {
        Set<String> set = new HashSet<>();
        for (String v : values) {
            for (String s : (v == null ? "" : v).split(",")) {
                if (!s.isBlank()) {
                    set.add(s.trim());
                }
            }
        }
        return set;
    }

    /** Called by a task of {@code stage} once its work is done. */
    public void afterTaskWork(String stage) {
        TaskContext tc = TaskContext.get();
        if (tc != null && tc.attemptNumber() == 0) {
            PausePoint.reached(stage + ":" + tc.partitionId());
        }
        if (tc != null && tc.attemptNumber() == 0 && failFirstAttempt.contains(stage + ":" + tc.partitionId())) {
            INJECTED.incrementAndGet();
            throw new IllegalStateException("injected failure: first attempt of " + stage + " task " + tc.partitionId());
        }
        if (tc != null && tc.attemptNumber() == 0 && slowFirstAttempt.contains(stage + ":" + tc.partitionId())) {
            INJECTED.incrementAndGet();
            stall(tc);
        }
    }

    /** Sleeps until Spark kills the attempt (it interrupts a losing speculative attempt) or the stall limit passes. */
    private static void stall(TaskContext tc) {
        System.err.println("lmshards: fault injection: stalling the first attempt of task " + tc.partitionId() + " (stage "
                + tc.stageId() + ")");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(MAX_STALL_SECONDS);
        while (!tc.isInterrupted() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Halts (or pauses, see {@link PausePoint}) the JVM when the driver reaches {@code point} and the property names it. */
    public static void haltPoint(String point) {
        PausePoint.reached(point);
        if (point.equals(System.getProperty(HALT_PROPERTY))) {
            System.err.println("lmshards: fault injection: halting at " + point);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
