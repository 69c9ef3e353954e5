package org.lmshards.tools.synth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Command line of the synthetic corpus generator: writes {@code train.csv} and {@code test.csv}
 * (fastai's WikiText layout) into a directory.
 *
 * <pre>
 * java -jar tools/target/lmshards-tools.jar --out DIR --mb N [--seed S] [--valid-mb M]
 * java -cp tools/target/lmshards-tools.jar org.lmshards.tools.synth.SyntheticCorpusMain --out DIR ...   (the same)
 * </pre>
 *
 * Sizes are in MB of 10^6 bytes and may be fractional. Exit codes: 0 ok, 1 I/O failure,
 * 2 bad command line. The parsing is hand-written so that the generator needs only the JDK.
 */
public final class SyntheticCorpusMain {
    static final String USAGE = "usage: SyntheticCorpusMain --out DIR --mb N [--seed S] [--valid-mb M]\n"
            + "  --out DIR      directory to write train.csv and test.csv into (created if missing)\n"
            + "  --mb N         size of train.csv in MB (10^6 bytes), e.g. 5 or 0.5\n"
            + "  --seed S       random seed (default " + SyntheticCorpus.DEFAULT_SEED + "); same seed and size, same bytes\n"
            + "  --valid-mb M   size of test.csv in MB (default: a tenth of --mb)\n";
    private static final long BYTES_PER_MB = 1_000_000L;

    private SyntheticCorpusMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The seed of the validation file, derived from the train seed so that they never coincide. */
    public static long validSeed(long seed) {
        return SplitMix64.mix(seed ^ 0x56414C4944L);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir = null;
        Double mb = null;
        Double validMb = null;
        long seed = SyntheticCorpus.DEFAULT_SEED;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--out" -> dir = Paths.get(value(args, ++i, a));
                    case "--mb" -> mb = positive(value(args, ++i, a), a);
                    case "--valid-mb" -> validMb = positive(value(args, ++i, a), a);
                    case "--seed" -> seed = parseSeed(value(args, ++i, a));
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option: " + a);
                }
            }
            if (dir == null || mb == null) {
                throw new IllegalArgumentException("--out and --mb are required");
            }
        } catch (IllegalArgumentException e) {
            err.println("SyntheticCorpusMain: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        long trainBytes = Math.round(mb * BYTES_PER_MB);
        long validBytes = Math.max(1, Math.round((validMb != null ? validMb : mb / 10) * BYTES_PER_MB));
        try {
            long t0 = System.nanoTime();
            long train = SyntheticCorpus.writeCsv(dir.resolve("train.csv"), seed, trainBytes);
            long valid = SyntheticCorpus.writeCsv(dir.resolve("test.csv"), validSeed(seed), validBytes);
            double secs = (System.nanoTime() - t0) / 1e9;
            out.printf(java.util.Locale.ROOT, "wrote %s: train.csv %d bytes, test.csv %d bytes (seed %d) in %.1f s%n",
                    dir, train, valid, seed, secs);
            return 0;
        } catch (IOException e) {
            err.println("SyntheticCorpusMain: cannot write " + dir + ": " + e);
            return 1;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static double positive(String s, String option) {
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: " + s);
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(option + " must be > 0: " + s);
        }
        return v;
    }

    private static long parseSeed(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seed: not an integer: " + s);
        }
    }
}
