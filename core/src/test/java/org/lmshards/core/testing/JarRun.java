package org.lmshards.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A runnable jar of this build ({@code java [JVM options] -jar JAR ARGS}, e.g. {@code trainer.jar})
 * as a child process, its stdout and stderr together in a log file, as a user or a scheduler
 * runs it; with one OpenMP thread per ND4J op ({@code OMP_NUM_THREADS=1}), as the trainer's own
 * tests run, so that sums and therefore trained models are reproducible.
 */
public final class JarRun {
    /** Only a guard against a hung child. */
    private static final long GIVE_UP_MINUTES = 5;

    /** A finished run: exit status and everything it printed. */
    public record Result(int code, String out) {
    }

    private JarRun() {
    }

    /** Starts the jar; its output goes to {@code log}. */
    public static Process start(Path jar, List<String> jvm, List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    /** Runs the jar to its end. */
    public static Result run(Path jar, List<String> jvm, List<String> args, Path log) throws IOException, InterruptedException {
        Process p = start(jar, jvm, args, log);
        if (!p.waitFor(GIVE_UP_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(jar.getFileName() + " " + args + " did not finish\n" + ChildProcesses.tail(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }
}
