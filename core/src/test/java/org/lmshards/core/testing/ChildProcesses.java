package org.lmshards.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.lmshards.core.PausePoint;

/**
 * Waits for facts about a child process (a file it writes at a step), never for a length of
 * time: the kill tests use it with {@link PausePoint} to stop a child at an exact point.
 */
public final class ChildProcesses {
    /** Only a guard against a hung child; no test depends on it being long or short. */
    private static final long GIVE_UP_MINUTES = 10;

    private ChildProcesses() {
    }

    /** The JVM options that make a child pause at {@code point} and then create {@code pausedFile}. */
    public static List<String> pauseAt(String point, Path pausedFile) {
        return List.of("-D" + PausePoint.PROPERTY + "=" + point, "-D" + PausePoint.FILE_PROPERTY + "=" + pausedFile);
    }

    /**
     * Returns once {@code file} exists; fails, quoting the end of {@code log}, when the child
     * ends first.
     */
    public static void awaitFile(Process child, Path file, Path log) throws IOException, InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(GIVE_UP_MINUTES);
        while (!Files.exists(file)) {
            if (!child.isAlive() && !Files.exists(file)) {
                throw new AssertionError("the child ended (exit " + child.exitValue() + ") before " + file
                        + " appeared\n" + tail(log));
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError(file + " did not appear in " + GIVE_UP_MINUTES + " minutes\n" + tail(log));
            }
            Thread.sleep(10);
        }
    }

    /**
     * Whether this process ignores SIGINT, as a job started in the background by a shell without
     * job control (or under {@code nohup ... &}) does. Children inherit the disposition, and a JVM
     * that starts with SIGINT ignored cannot handle it: a test of Ctrl-C has nothing to observe
     * there. Read from {@code /proc/self/status} ({@code SigIgn}, bit 1 = signal 2); false where
     * that cannot be read.
     */
    public static boolean sigintIgnored() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("SigIgn:"))
                    .map(l -> Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16))
                    .anyMatch(mask -> (mask & (1L << 1)) != 0);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Returns once {@code log} holds {@code line} (a line the child prints when it reached a
     * step); fails, quoting the log, when the child ends first or after the give-up time.
     */
    public static void awaitLogLine(Process child, Path log, String line) throws IOException, InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(GIVE_UP_MINUTES);
        while (!Files.exists(log) || !Files.readString(log).contains(line)) {
            if (!child.isAlive()) {
                throw new AssertionError("the child ended (exit " + child.exitValue() + ") before printing '" + line
                        + "'\n" + tail(log));
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("'" + line + "' did not appear in " + GIVE_UP_MINUTES + " minutes\n" + tail(log));
            }
            Thread.sleep(10);
        }
    }

    /** SIGKILLs the child and waits for it; returns its exit status (137). */
    public static int kill(Process child) throws InterruptedException {
        child.destroyForcibly();
        if (!child.waitFor(GIVE_UP_MINUTES, TimeUnit.MINUTES)) {
            throw new AssertionError("the child did not end after SIGKILL");
        }
        return child.exitValue();
    }

    /** A pid no process can have: above Linux's largest pid_max (2^22), so never reused either. */
    public static long pidThatCannotExist() {
        long pid = (1L << 22) + 1;
        if (ProcessHandle.of(pid).isPresent()) {
            throw new AssertionError("pid " + pid + " exists");
        }
        return pid;
    }

    /** The last 6,000 characters of a child's log, for assertion messages. */
    public static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
