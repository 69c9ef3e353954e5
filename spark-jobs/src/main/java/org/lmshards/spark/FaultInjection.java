package org.lmshards.spark;

import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;

import org.apache.spark.TaskContext;

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
 * </ul>
 */
public final class FaultInjection implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String HALT_PROPERTY = "lmshards.fault.haltAt";
    public static final String FAIL_PROPERTY = "lmshards.fault.failFirstAttempt";

    /** Failures injected in this JVM so far (local mode: lets a test see that retries really happened). */
    public static final java.util.concurrent.atomic.AtomicInteger INJECTED = new java.util.concurrent.atomic.AtomicInteger();

    private final Set<String> failFirstAttempt;

    private FaultInjection(Set<String> failFirstAttempt) {
        this.failFirstAttempt = failFirstAttempt;
    }

    /** Reads the task-failure settings on the driver (they travel to the executors with the closures). */
    public static FaultInjection fromSettings(String sparkConfValue) {
        Set<String> set = new HashSet<>();
        for (String v : new String[] {System.getProperty(FAIL_PROPERTY, ""), sparkConfValue == null ? "" : sparkConfValue}) {
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    set.add(s.trim());
                }
            }
        }
        return new FaultInjection(set);
    }

    /** Called by a task of {@code stage} once its work is done. */
    public void afterTaskWork(String stage) {
        TaskContext tc = TaskContext.get();
        if (tc != null && tc.attemptNumber() == 0 && failFirstAttempt.contains(stage + ":" + tc.partitionId())) {
            INJECTED.incrementAndGet();
            throw new IllegalStateException("injected failure: first attempt of " + stage + " task " + tc.partitionId());
        }
    }

    /** Halts the JVM when the driver reaches {@code point} and the halt property names it. */
    public static void haltPoint(String point) {
        if (point.equals(System.getProperty(HALT_PROPERTY))) {
            System.err.println("lmshards: fault injection: halting at " + point);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
