package org.lmshards.trainer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.train.console.PassProgress;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.TrainSettings;
import org.lmshards.trainer.train.rundir.TrainState;
import org.lmshards.trainer.train.loop.TrainingStoppedException;

/** What {@code train} tells the user around the training itself: the time to expect, how to resume, what next. */
final class TrainMessages {
    /**
     * Seconds per token of one core besides the matrix products (per-step work, the softmax): a
     * small model (--emb 32 --hidden 128 --layers 2, bs 64) trains at about 30,000 tokens/s on one
     * core (docs/BENCHMARKS.md, "Current figures"); with {@link #ONE_CORE_FLOPS_PER_S} it gives both sizes.
     */
    static final double ONE_CORE_OVERHEAD_S_PER_TOKEN = 0.0194e-3;
    /**
     * Training tokens/s of the default AWD-LSTM size (27.5 M parameters with wikitext-tiny's 9,008
     * tokens, the default dropouts) with one replica, measured (docs/BENCHMARKS.md, "Current figures").
     */
    static final double DEFAULT_MODEL_TOKENS_PER_S = 1_150;
    /**
     * Training FLOPs per second of one core, such that the default size (47.7 M forward FLOPs per
     * token, three times that to train) comes out at {@link #DEFAULT_MODEL_TOKENS_PER_S}.
     */
    static final double ONE_CORE_FLOPS_PER_S = 3 * 47_709_696 / (1.0 / DEFAULT_MODEL_TOKENS_PER_S - ONE_CORE_OVERHEAD_S_PER_TOKEN);
    /**
     * Speed of N replicas over N times one replica's: 2 replicas on 2 cores trained the default
     * AWD size 1.7x as fast as one (docs/BENCHMARKS.md, "Current figures").
     */
    static final double REPLICA_EFFICIENCY = 0.85;
    /** Below this an estimate is not worth a line. */
    private static final double ESTIMATE_FROM_SECONDS = 120;
    /** Above this a smaller model for a first try is worth suggesting. */
    private static final double SUGGEST_SMALLER_FROM_SECONDS = 15 * 60;

    private static final String JAR = "java -jar trainer/target/trainer.jar";

    private TrainMessages() {
    }

    /**
     * The time an epoch should take with {@code replicas} replicas (one core each), when it is
     * long enough to matter (the defaults with 2 replicas: about 4 minutes on wikitext-tiny), else null.
     */
    static String epochEstimate(LmHyperParams model, long batchesPerEpoch, int batchSize, int seqLen, int replicas) {
        double tokens = (double) batchesPerEpoch * batchSize * seqLen;
        double secondsPerToken = 3.0 * model.forwardFlopsPerToken() / ONE_CORE_FLOPS_PER_S + ONE_CORE_OVERHEAD_S_PER_TOKEN;
        double tokensPerS = replicas / secondsPerToken * (replicas > 1 ? REPLICA_EFFICIENCY : 1);
        double seconds = tokens / tokensPerS;
        if (seconds < ESTIMATE_FROM_SECONDS) {
            return null;
        }
        return String.format(Locale.ROOT, "expect about %s per epoch with %d replica%s (%,.0f tokens at about %,.0f tokens/s"
                + " for this model size; more cores are faster).%s", PassProgress.duration(seconds), replicas,
                replicas == 1 ? "" : "s", tokens, tokensPerS, seconds > SUGGEST_SMALLER_FROM_SECONDS
                        ? " For a quick try, pass a smaller model such as --emb 32 --hidden 128 --layers 2." : "");
    }

    /** Why {@code --resume} has nothing to do: every epoch trained and the model written ({@code state} is the checkpoint's). */
    static String alreadyComplete(Path runDir, TrainState state) {
        return String.format(Locale.ROOT, "%s is complete: it has trained all %d epoch(s) and written %s; nothing to"
                + " resume. To train it further, give the new total: train --resume --out %s --epochs %d",
                runDir, state.epoch(), RunFiles.MODEL, runDir, state.epoch() + 1);
    }

    /** After a stop on Ctrl-C or SIGTERM: where the checkpoint is and the command that continues. */
    static String stopped(TrainingStoppedException e, Path runDir) {
        return e.getMessage() + "\nresume with: " + JAR + " train --resume --out " + runDir;
    }

    /** After a finished run: the report, and the commands to evaluate and sample the model. */
    static String nextSteps(Path runDir, Object data) {
        Path report = runDir.resolve(RunFiles.REPORT);
        return (Files.exists(report) ? "report: " + report + "\n" : "")
                + "next:\n"
                + "  " + JAR + " evaluate --model " + runDir + " --data " + data + "\n"
                + "  " + JAR + " generate --model " + runDir + " --prompt \"The album was\" --tokens 50";
    }
}
