package org.lmshards.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Test hook of the kill tests: a process started with {@code -Dlmshards.fault.pauseAt=POINT} and
 * {@code -Dlmshards.fault.pausedFile=FILE} creates FILE when it reaches POINT and then waits
 * there, so that a test SIGKILLs (or signals) it at exactly that point instead of racing it; the
 * test deleting FILE lets it go on.
 * {@code POINT#N} pauses the N-th time the point is reached (plain {@code POINT}: the first).
 * Inert, one property read, unless the property is set.
 */
public final class PausePoint {
    public static final String PROPERTY = "lmshards.fault.pauseAt";
    public static final String FILE_PROPERTY = "lmshards.fault.pausedFile";

    private static final Map<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();

    private PausePoint() {
    }

    /** Pauses at {@code point} when the property names it, until the test kills the process or deletes the file. */
    public static void reached(String point) {
        reached(point, () -> false);
    }

    /**
     * Pauses at {@code point} when the property names it, until {@code release} holds (for
     * example: a stop was requested by the signal the test sends) or the test deletes the file.
     */
    public static void reached(String point, BooleanSupplier release) {
        String target = System.getProperty(PROPERTY);
        if (target == null) {
            return;
        }
        int n = REACHED.computeIfAbsent(point, k -> new AtomicInteger()).incrementAndGet();
        if (!target.equals(point + "#" + n) && !(n == 1 && target.equals(point))) {
            return;
        }
        System.err.println("lmshards: fault injection: paused at " + target);
        System.err.flush();
        String file = System.getProperty(FILE_PROPERTY);
        Path paused = file == null ? null : Path.of(file);
        if (paused != null) {
            try {
                Files.writeString(paused, target + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        boolean interrupted = false;
        while (!release.getAsBoolean() && (paused == null || Files.exists(paused))) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                interrupted = true; // the test decides when the pause ends, not an interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
