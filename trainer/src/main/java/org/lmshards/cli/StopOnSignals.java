package org.lmshards.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.lmshards.trainer.train.StopRequest;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns the first SIGINT (Ctrl-C) or SIGTERM during {@code train} into a {@link StopRequest}:
 * the current batch finishes, a checkpoint is written and the process exits 128 + the signal
 * number (130, 143). A second signal halts at once with that code, for when even a batch is
 * too long to wait for. The JVM's own handlers (shutdown, exit at once) come back on close.
 */
final class StopOnSignals implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private StopOnSignals() {
    }

    static StopOnSignals install(StopRequest stop, PrintStream err) {
        StopOnSignals installed = new StopOnSignals();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            try {
                SignalHandler old = Signal.handle(signal, s -> {
                    int code = 128 + s.getNumber();
                    if (stop.requested()) {
                        err.println("\nsecond SIG" + s.getName() + ": aborting without a checkpoint");
                        err.flush();
                        Runtime.getRuntime().halt(code);
                    }
                    stop.request("SIG" + s.getName(), code);
                    err.println("\nSIG" + s.getName() + ": stopping after the current batch and writing a checkpoint"
                            + " (press Ctrl-C again to abort at once)");
                    err.flush();
                });
                installed.signals.add(signal);
                installed.previous.add(old);
            } catch (IllegalArgumentException e) {
                // the JVM reserves the signal (-Xrs): keep its default behaviour
            }
        }
        return installed;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
