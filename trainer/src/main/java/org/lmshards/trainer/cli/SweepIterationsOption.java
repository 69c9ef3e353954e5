package org.lmshards.trainer.cli;

import java.util.Locale;
import org.lmshards.trainer.train.loop.SweepLength;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code lr-find --iterations N|auto}: the batches of the sweep; {@code auto} sizes it by the
 * train split ({@link SweepLength}).
 */
final class SweepIterationsOption {
    @Option(names = "--iterations", paramLabel = "N|auto", defaultValue = "auto", description = "Batches in the sweep"
            + " (it stops early once the loss diverges). auto: one epoch of the train split, at least " + SweepLength.MIN
            + " and at most " + SweepLength.MAX + " batches. Default: ${DEFAULT-VALUE}.")
    String iterations;

    /** What {@link #fixed} returns for {@code auto}. */
    static final int AUTO = -1;

    /** The sweep's batches for a train split of {@code batchesPerEpoch}; a bad value is a usage error (exit 2). */
    int resolve(long batchesPerEpoch, CommandLine cl) {
        int n = fixed(cl);
        return n == AUTO ? SweepLength.auto(batchesPerEpoch) : n;
    }

    /** The number given, or {@link #AUTO}; checked before anything is opened or written. */
    int fixed(CommandLine cl) {
        String value = iterations.trim().toLowerCase(Locale.ROOT);
        if (value.equals("auto")) {
            return AUTO;
        }
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 2) {
            throw new CommandLine.ParameterException(cl, "--iterations must be a whole number >= 2 or auto, got '"
                    + iterations + "'");
        }
        return n;
    }
}
