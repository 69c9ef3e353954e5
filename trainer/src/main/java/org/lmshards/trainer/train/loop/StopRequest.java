package org.lmshards.trainer.train.loop;

/**
 * A request, from another thread (a signal handler), that training stop at the next batch
 * boundary after writing a checkpoint. The first request wins; its exit code is kept.
 */
public final class StopRequest {
    private volatile String reason;
    private volatile int exitCode;

    /** Asks training to stop; {@code reason} is for messages (e.g. "SIGINT"), {@code exitCode} for the process. */
    public synchronized void request(String reason, int exitCode) {
        if (this.reason == null) {
            this.exitCode = exitCode;
            this.reason = reason;
        }
    }

    public boolean requested() {
        return reason != null;
    }

    /** What asked to stop, or null. */
    public String reason() {
        return reason;
    }

    public int exitCode() {
        return exitCode;
    }
}
