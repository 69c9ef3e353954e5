package org.lmshards.trainer.backend;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a probe command ({@code nvidia-smi}, {@code ldconfig}) with bounds on everything it may
 * take: it runs in a process group of its own ({@code setsid}), so that on a timeout, or once
 * its output passes a cap, the whole group is killed, children included; its output is read
 * through a pipe and at most {@code maxBytes} of it are kept, so nothing is written to disk.
 * (Issue 25: only {@code nvidia-smi} itself was killed at the timeout, and a child left running
 * wrote 11 GB into the deleted temporary output file.)
 */
final class BoundedCommand {
    private static final String SETSID = "/usr/bin/setsid";

    private BoundedCommand() {
    }

    static SystemProbe.CommandResult run(List<String> command, long timeoutMillis, int maxBytes) {
        if (!installed(command.get(0))) {
            return SystemProbe.CommandResult.notFound(); // setsid would start, and fail only then
        }
        List<String> argv = new ArrayList<>();
        boolean ownGroup = Files.isExecutable(Path.of(SETSID));
        if (ownGroup) {
            argv.add(SETSID); // the command becomes the leader of a new process group: pgid = its pid
        }
        argv.addAll(command);
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            return SystemProbe.CommandResult.notFound();
        }
        CappedReader reader = new CappedReader(process.getInputStream(), maxBytes, () -> kill(process, ownGroup));
        reader.start();
        try {
            boolean finished = process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process, ownGroup);
                return new SystemProbe.CommandResult(true, -1, List.of(command.get(0) + " did not finish in "
                        + timeoutMillis / 1000.0 + " s (stopped with its child processes)"));
            }
            reader.join(TimeUnit.SECONDS.toMillis(5)); // the pipe ends once every holder of it is gone
            if (reader.overflowed()) {
                kill(process, ownGroup);
                return new SystemProbe.CommandResult(true, -1, List.of(command.get(0) + " wrote more than " + maxBytes
                        + " bytes of output (stopped with its child processes)"));
            }
            return new SystemProbe.CommandResult(true, process.exitValue(), reader.text().lines().toList());
        } catch (InterruptedException e) {
            kill(process, ownGroup);
            Thread.currentThread().interrupt();
            return new SystemProbe.CommandResult(true, -1, List.of("interrupted"));
        }
    }

    /** Whether {@code command} names an executable file, directly or on the PATH. */
    private static boolean installed(String command) {
        if (command.contains("/")) {
            return Files.isExecutable(Path.of(command));
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** SIGKILL to the command's process group (when it has its own) and to every descendant still known. */
    private static void kill(Process process, boolean ownGroup) {
        if (ownGroup) {
            try {
                new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            } catch (IOException e) {
                // no kill(1): the descendants below still go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Keeps the first {@code max} bytes of a stream; past them calls {@code onOverflow} once and stops reading. */
    private static final class CappedReader extends Thread {
        private final InputStream in;
        private final int max;
        private final Runnable onOverflow;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private volatile boolean overflowed;

        CappedReader(InputStream in, int max, Runnable onOverflow) {
            super("lmshards-probe-output");
            setDaemon(true);
            this.in = in;
            this.max = max;
            this.onOverflow = onOverflow;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (kept.size() + n > max) {
                        overflowed = true;
                        onOverflow.run();
                        return;
                    }
                    synchronized (kept) {
                        kept.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // the process was killed: what was read so far is kept
            }
        }

        boolean overflowed() {
            return overflowed;
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
