package org.lmshards.spark;

import org.lmshards.core.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18, item 2: a fatal error in any driver thread ends the job with exit 1 instead of a hang. */
class FatalErrorHaltTest {
    @Test
    void anOutOfMemoryErrorInAnotherThreadHaltsWithExitOneAndOneLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<Integer> halted = new ArrayList<>();
        List<Throwable> passedOn = new ArrayList<>();
        FatalErrorHalt h = new FatalErrorHalt(new PrintStream(buf, true, StandardCharsets.UTF_8), halted::add,
                (t, e) -> passedOn.add(e));
        h.uncaughtException(new Thread("task-result-getter-0"), new OutOfMemoryError("Java heap space"));
        assertThat(halted).containsExactly(ExitCode.INTERNAL);
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("error: java.lang.OutOfMemoryError: Java heap space in thread "
                + "task-result-getter-0; the job cannot go on (give the driver more memory: spark.driver.memory in conf/spark-defaults.conf)\n");
        // Anything else is left to the handler that was there before.
        RuntimeException ordinary = new IllegalStateException("x");
        h.uncaughtException(new Thread("t"), ordinary);
        assertThat(halted).hasSize(1);
        assertThat(passedOn).containsExactly(ordinary);
    }

    /** The real thing: a child JVM whose main thread waits forever while another thread runs out of memory. */
    @Test
    void aChildJvmWaitingOnADeadThreadExitsInsteadOfHanging() throws Exception {
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()).redirectErrorStream(true).start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();    // a hung child must not outlive the test
        }
        assertThat(exited).as("the child exits by itself").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(ExitCode.INTERNAL);
        assertThat(out).contains("error: java.lang.OutOfMemoryError").contains("in thread hungry");
    }

    /** Installs the handler as {@code PreprocessJob.main} does, then waits for a result a dying thread never sends. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            FatalErrorHalt.install();
            Thread t = new Thread(() -> {
                List<long[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new long[1 << 20]);
                }
            }, "hungry");
            t.start();
            new java.util.concurrent.CountDownLatch(1).await();
        }
    }
}
