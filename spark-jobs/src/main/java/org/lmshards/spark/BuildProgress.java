package org.lmshards.spark;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's progress counters, which the tasks add to, and a daemon thread that logs them every
 * 10 s until {@link #close}d. Accumulators are only updated as tasks finish, so the log lags.
 */
final class BuildProgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BuildProgress.class);

    final LongAccumulator bytesRead;
    final LongAccumulator rowsRead;
    final LongAccumulator tokens;
    final LongAccumulator written;
    private final ScheduledExecutorService timer;

    BuildProgress(JavaSparkContext jsc) {
        bytesRead = jsc.sc().longAccumulator("bytes read");
        rowsRead = jsc.sc().longAccumulator("rows read");
        tokens = jsc.sc().longAccumulator("tokens");
        written = jsc.sc().longAccumulator("tokens written");
        long start = System.nanoTime();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lmshards-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            double s = (System.nanoTime() - start) / 1e9;
            LOG.info(String.format(Locale.ROOT, "progress: %,d rows, %.1f MB read (%.1f MB/s), %,d tokens, %,d tokens written",
                    rowsRead.value(), bytesRead.value() / 1e6, bytesRead.value() / 1e6 / s, tokens.value(), written.value()));
        }, 10, 10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
