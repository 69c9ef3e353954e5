package org.lmshards.spark;

import org.lmshards.core.ExitCode;
import java.io.PrintStream;
import java.util.function.IntConsumer;

/**
 * Ends the driver JVM when any thread dies of a {@link VirtualMachineError} (out of memory,
 * stack overflow, internal error). Spark catches only non-fatal errors in its own threads: an
 * OutOfMemoryError in its task-result getter killed that thread, the job waited forever for the
 * result and logged progress at 100% CPU. Installed by {@link PreprocessJob#main} only, never
 * in a JVM that embeds the job.
 */
final class FatalErrorHalt implements Thread.UncaughtExceptionHandler {
    private final PrintStream err;
    private final IntConsumer halt;
    private final Thread.UncaughtExceptionHandler previous;

    FatalErrorHalt(PrintStream err, IntConsumer halt, Thread.UncaughtExceptionHandler previous) {
        this.err = err;
        this.halt = halt;
        this.previous = previous;
    }

    /** Makes this the default handler of the JVM, halting with {@link JobExitCodes#INTERNAL}. */
    static void install() {
        Thread.setDefaultUncaughtExceptionHandler(
                new FatalErrorHalt(System.err, code -> Runtime.getRuntime().halt(code), Thread.getDefaultUncaughtExceptionHandler()));
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        if (e instanceof VirtualMachineError) {
            try {
                err.println("error: " + e + " in thread " + t.getName() + "; the job cannot go on"
                        + (e instanceof OutOfMemoryError ? " (give the driver more memory: spark.driver.memory in conf/spark-defaults.conf)" : ""));
                err.flush();
            } finally {
                // halt, not exit: shutdown hooks (Spark's among them) could wait on the dead thread.
                halt.accept(ExitCode.INTERNAL);
            }
            return;
        }
        if (previous != null) {
            previous.uncaughtException(t, e);
        } else {
            err.print("Exception in thread \"" + t.getName() + "\" ");
            e.printStackTrace(err);
        }
    }
}
