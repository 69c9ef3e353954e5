package org.lmshards.trainer.cli;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --replicas N|auto}: how many data-parallel row replicas train (or evaluate) the model,
 * each on its own thread with one native thread, each owning a contiguous block of the batch rows.
 *
 * <p>{@code auto} takes one replica per core available to the JVM, but no more than leave every
 * replica {@link #MIN_ROWS_PER_REPLICA} rows: below that a replica's matrix products get too thin
 * to use a core well (measured in docs/BENCHMARKS.md, "Replicas").
 */
final class ReplicaOption {
    /** The fewest rows per replica {@code auto} plans for. */
    static final int MIN_ROWS_PER_REPLICA = 8;

    @Option(names = "--replicas", paramLabel = "N|auto", defaultValue = "auto", description = "Data-parallel"
            + " replicas, each training a contiguous block of the batch rows on its own core (same result as one, up to"
            + " rounding; dropout masks depend on N). auto: one per core, at most --bs/" + MIN_ROWS_PER_REPLICA
            + ". 1: one thread, as before. Default: ${DEFAULT-VALUE}.")
    String replicas;

    /** The replica count for batches of {@code batchSize} rows; a bad value is a usage error (exit 2). */
    int resolve(int batchSize, CommandLine cl) {
        String value = replicas.trim().toLowerCase(Locale.ROOT);
        if (value.equals("auto")) {
            return auto(batchSize, Runtime.getRuntime().availableProcessors());
        }
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) {
            throw new CommandLine.ParameterException(cl, "--replicas must be a whole number >= 1 or auto, got '"
                    + replicas + "'");
        }
        if (n > batchSize) {
            throw new CommandLine.ParameterException(cl, "--replicas " + n + " is more than the batch size " + batchSize
                    + ": every replica needs at least one row of each batch");
        }
        return n;
    }

    /** One replica per core, each with at least {@link #MIN_ROWS_PER_REPLICA} rows (and at least one replica). */
    static int auto(int batchSize, int cores) {
        return Math.max(1, Math.min(cores, batchSize / MIN_ROWS_PER_REPLICA));
    }
}
