package org.lmshards.trainer.cli;

import org.lmshards.trainer.model.ClipScope;
import org.lmshards.trainer.model.InitScheme;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LossScale;
import org.lmshards.trainer.model.LrSchedule;
import org.lmshards.trainer.model.OptimizerSettings;
import picocli.CommandLine.Option;

/**
 * The model, batch and optimiser options that {@code train} and {@code lr-find} share, so that
 * a learning rate found by {@code lr-find} is found for exactly the run {@code train} will do.
 */
final class ModelOptions {
    @Option(names = "--bs", defaultValue = "64", description = "Batch size (rows). Default: ${DEFAULT-VALUE}.")
    int bs;
    @Option(names = "--seq-len", defaultValue = "72", description = "Time steps per batch = truncated BPTT length. Default: ${DEFAULT-VALUE}.")
    int seqLen;
    @Option(names = "--emb", defaultValue = "400", description = "Embedding size (also the last LSTM's size). Default: ${DEFAULT-VALUE}.")
    int emb;
    @Option(names = "--hidden", defaultValue = "1152", description = "LSTM size of the other layers. Default: ${DEFAULT-VALUE}.")
    int hidden;
    @Option(names = "--layers", defaultValue = "3", description = "LSTM layers. Default: ${DEFAULT-VALUE}.")
    int layers;
    @Option(names = "--lr", defaultValue = "5e-3", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;
    @Option(names = "--wd", defaultValue = "0.1", description = "Decoupled weight decay. Default: ${DEFAULT-VALUE}.")
    double wd;
    @Option(names = "--input-p", defaultValue = "0.6", description = "Dropout on the embedding output. Default: ${DEFAULT-VALUE}.")
    double inputP;
    @Option(names = "--output-p", defaultValue = "0.4", description = "Dropout on the last LSTM output. Default: ${DEFAULT-VALUE}.")
    double outputP;
    @Option(names = "--weight-p", defaultValue = "0.5", description = "Dropout on hidden-to-hidden weights. Default: ${DEFAULT-VALUE}.")
    double weightP;
    @Option(names = "--embed-p", defaultValue = "0.1", description = "fastai embedding dropout: recorded, not"
            + " expressible in DL4J (see docs/MODEL.md). Default: ${DEFAULT-VALUE}.")
    double embedP;
    @Option(names = "--hidden-p", defaultValue = "0.2", description = "Dropout between LSTM layers. Default: ${DEFAULT-VALUE}.")
    double hiddenP;
    @Option(names = "--clip", defaultValue = "0.25", description = "Gradient L2-norm clipping (see --clip-scope), 0 = off. Default: ${DEFAULT-VALUE}.")
    double clip;
    @Option(names = "--clip-scope", defaultValue = "global", converter = EnumOption.Clip.class, paramLabel = "global|layer",
            description = "--clip bounds the norm of all gradients together (PyTorch, fastai) or of each layer's."
                    + " Default: ${DEFAULT-VALUE}.")
    ClipScope clipScope;
    @Option(names = "--schedule", defaultValue = "constant", converter = EnumOption.Schedule.class, paramLabel = "constant|one-cycle",
            description = "Learning-rate schedule: constant --lr, or fastai's fit_one_cycle (warm-up to --lr, cosine"
                    + " annealing, beta1 cycled 0.95-0.85-0.95). Default: ${DEFAULT-VALUE}.")
    LrSchedule schedule;
    @Option(names = "--pct-start", defaultValue = "0.25", description = "one-cycle: share of the steps spent warming up. Default: ${DEFAULT-VALUE}.")
    double pctStart;
    @Option(names = "--div", defaultValue = "25", description = "one-cycle: start at --lr / DIV. Default: ${DEFAULT-VALUE}.")
    double divFactor;
    @Option(names = "--final-div", defaultValue = "1e5", description = "one-cycle: end at --lr / FINAL_DIV. Default: ${DEFAULT-VALUE}.")
    double finalDivFactor;
    @Option(names = "--init", defaultValue = "fastai", converter = EnumOption.Init.class, paramLabel = "fastai|pytorch|xavier",
            description = "Parameter initialisation (docs/MODEL.md). Default: ${DEFAULT-VALUE}.")
    InitScheme init;
    @Option(names = "--adam-beta1", defaultValue = "0.9", description = "Adam beta1 (constant schedule). Default: ${DEFAULT-VALUE}.")
    double beta1;
    @Option(names = "--adam-beta2", defaultValue = "0.99", description = "Adam beta2. Default: ${DEFAULT-VALUE}.")
    double beta2;
    @Option(names = "--adam-eps", defaultValue = "1e-5", description = "Adam epsilon. Default: ${DEFAULT-VALUE}.")
    double eps;
    @Option(names = "--loss-scale", defaultValue = "token-mean", converter = EnumOption.Loss.class, hidden = true,
            description = "token-mean, or sequence-sum (DL4J's default, for the ablation in docs/MODEL.md).")
    LossScale lossScale;
    @Option(names = "--forget-bias", hidden = true, description = "LSTM forget-gate bias at initialisation (ablation).")
    Double forgetBias;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation, shuffling and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The options as validated hyper-parameters (IllegalArgumentException naming the bad value). */
    LmHyperParams hyperParams(int vocabSize) {
        requireFinite();
        OptimizerSettings optimizer = new OptimizerSettings(init, clipScope, lossScale, beta1, beta2, eps, schedule, pctStart,
                divFactor, finalDivFactor, forgetBias);
        return new LmHyperParams(vocabSize, emb, hidden, layers, inputP, outputP, weightP, embedP, hiddenP, lr, wd, clip,
                seed, optimizer);
    }

    /** {@code --lr Infinity} was accepted, and the run then "diverged" (issue 25): name the option instead. */
    private void requireFinite() {
        Object[][] values = {{"--lr", lr}, {"--wd", wd}, {"--clip", clip}, {"--input-p", inputP}, {"--output-p", outputP},
                {"--weight-p", weightP}, {"--embed-p", embedP}, {"--hidden-p", hiddenP}, {"--pct-start", pctStart},
                {"--div", divFactor}, {"--final-div", finalDivFactor}, {"--adam-beta1", beta1}, {"--adam-beta2", beta2},
                {"--adam-eps", eps}};
        for (Object[] v : values) {
            requireFinite((String) v[0], (Double) v[1]);
        }
    }

    /** Throws IllegalArgumentException {@code "OPTION must be a finite number, got V"} for NaN and infinities. */
    static void requireFinite(String option, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(option + " must be a finite number, got " + value);
        }
    }
}
