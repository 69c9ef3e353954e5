package org.lmshards.trainer.train.console;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one pass over batches (a training epoch, an evaluation) in a {@link ProgressMode}:
 * a bar on a terminal, or in a log a line at every 10 % and at least every 5 minutes, each with
 * the rate and the time left, and the 100 % line once.
 */
public final class PassProgress implements AutoCloseable {
    private static final long LINE_EVERY_NANOS = Duration.ofMinutes(5).toNanos();

    private final ProgressMode mode;
    private final String task;
    private final long max;
    private final PrintStream out;
    private final ProgressBar bar;
    private long lastTenth;
    private long lastLineNanos = System.nanoTime();
    private boolean finished;

    /**
     * @param start batches already done (a resumed epoch), {@code secondsBefore} the time they took
     * @param lines where {@link ProgressMode#LINES} writes; the bar always draws on stderr
     */
    public PassProgress(ProgressMode mode, String task, long max, long start, double secondsBefore, PrintStream lines) {
        this.mode = mode;
        this.task = task;
        this.max = max;
        this.out = lines;
        this.lastTenth = max > 0 ? start * 10 / max : 0;
        this.bar = mode == ProgressMode.BAR ? new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .startsFrom(start, Duration.ofMillis((long) (secondsBefore * 1000))).build() : null;
    }

    /**
     * @param done batches done, {@code seconds} spent on them in this pass, {@code extra} e.g. "loss 5.1, 260 tok/s"
     */
    public void update(long done, double seconds, String extra) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(" " + extra);
            return;
        }
        if (mode != ProgressMode.LINES || finished || max <= 0) {
            return;
        }
        long tenth = done * 10 / max;
        long now = System.nanoTime();
        if (tenth > lastTenth || now - lastLineNanos >= LINE_EVERY_NANOS || done >= max) {
            lastTenth = tenth;
            lastLineNanos = now;
            finished = done >= max;
            String left = done >= max || done == 0 ? "" : ", about " + duration(seconds / done * (max - done)) + " left";
            out.printf(Locale.ROOT, "%s: %3d%% (%d/%d batches), %s%s%n", task, done * 100 / max, done, max, extra, left);
            out.flush();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }

    /** "40 s", "12 min", "2.5 h". */
    public static String duration(double seconds) {
        if (seconds < 90) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 90 * 60) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
