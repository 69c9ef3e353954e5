package org.lmshards.trainer.model;

/**
 * The language model's shape and regularisation, named after fastai's AWD-LSTM settings
 * (see docs/MODEL.md for what the DL4J network does with each of them).
 *
 * <p>Dropout values are drop probabilities as in fastai (0 = keep everything), not DL4J's
 * retain probabilities.
 *
 * @param vocabSize number of token ids (embedding rows and softmax outputs)
 * @param emb       embedding size; also the output size of the last LSTM layer, as in AWD-LSTM
 * @param hidden    output size of every LSTM layer but the last
 * @param layers    number of LSTM layers (at least 1)
 * @param inputP    variational dropout on the embedding output (fastai {@code input_p})
 * @param outputP   variational dropout on the last LSTM output (fastai {@code output_p})
 * @param weightP   inverted dropout on the hidden-to-hidden weights (fastai {@code weight_p})
 * @param embedP    fastai {@code embed_p}: accepted and recorded, not expressible in DL4J (ignored)
 * @param hiddenP   variational dropout between LSTM layers (fastai {@code hidden_p})
 * @param lr        Adam learning rate
 * @param wd        decoupled weight decay coefficient (AdamW style, multiplied by the learning rate)
 * @param clip      L2-norm gradient clipping threshold (global or per layer, see {@code optimizer}); 0 disables clipping
 * @param seed      seed of parameter initialisation and of every dropout mask
 * @param optimizer initialisation, loss scaling, clipping scope, Adam and schedule; null (a
 *                  config.json written before it existed) means {@link OptimizerSettings#BEFORE_0_3}
 */
public record LmHyperParams(int vocabSize, int emb, int hidden, int layers,
                            double inputP, double outputP, double weightP, double embedP, double hiddenP,
                            double lr, double wd, double clip, long seed, OptimizerSettings optimizer) {

    /** The given shape and regularisation with {@link OptimizerSettings#DEFAULTS}. */
    public LmHyperParams(int vocabSize, int emb, int hidden, int layers,
                         double inputP, double outputP, double weightP, double embedP, double hiddenP,
                         double lr, double wd, double clip, long seed) {
        this(vocabSize, emb, hidden, layers, inputP, outputP, weightP, embedP, hiddenP, lr, wd, clip, seed,
                OptimizerSettings.DEFAULTS);
    }

    public LmHyperParams {
        if (optimizer == null) {
            optimizer = OptimizerSettings.BEFORE_0_3;
        }
        if (vocabSize < 2) {
            throw new IllegalArgumentException("vocabulary size must be at least 2, got " + vocabSize);
        }
        if (emb < 1 || hidden < 1 || layers < 1) {
            throw new IllegalArgumentException("emb, hidden and layers must be positive: emb=" + emb
                    + " hidden=" + hidden + " layers=" + layers);
        }
        for (double p : new double[] {inputP, outputP, weightP, embedP, hiddenP}) {
            if (!(p >= 0 && p < 1)) {
                throw new IllegalArgumentException("dropout probabilities must be in [0, 1), got " + p);
            }
        }
        if (!(lr > 0) || !(wd >= 0) || !(clip >= 0)) {
            throw new IllegalArgumentException("need lr > 0, wd >= 0, clip >= 0: lr=" + lr + " wd=" + wd + " clip=" + clip);
        }
    }

    /** The same settings with another optimizer recipe. */
    public LmHyperParams withOptimizer(OptimizerSettings o) {
        return new LmHyperParams(vocabSize, emb, hidden, layers, inputP, outputP, weightP, embedP, hiddenP, lr, wd, clip,
                seed, o);
    }

    /** The same settings with another learning rate. */
    public LmHyperParams withLr(double newLr) {
        return new LmHyperParams(vocabSize, emb, hidden, layers, inputP, outputP, weightP, embedP, hiddenP, newLr, wd, clip,
                seed, optimizer);
    }

    /** Output size of LSTM layer {@code i} (0-based): {@code hidden}, except {@code emb} for the last. */
    public int lstmSize(int i) {
        return i == layers - 1 ? emb : hidden;
    }

    /** Input size of LSTM layer {@code i}. */
    public int lstmInputSize(int i) {
        return i == 0 ? emb : lstmSize(i - 1);
    }

    /** Number of trainable parameters of the network built from these settings. */
    public long parameterCount() {
        long n = (long) vocabSize * emb;
        for (int i = 0; i < layers; i++) {
            long in = lstmInputSize(i), out = lstmSize(i);
            n += 4 * out * (in + out) + 4 * out;
        }
        n += (long) emb * vocabSize + vocabSize;
        return n;
    }

    /**
     * Forward-pass multiply-adds per token times 2 (FLOPs), counting the matrix products only
     * (embedding lookup is a copy; element-wise gate maths is a few percent at these sizes).
     * Training costs about three times this (forward + two backward products).
     */
    public long forwardFlopsPerToken() {
        long macs = 0;
        for (int i = 0; i < layers; i++) {
            long in = lstmInputSize(i), out = lstmSize(i);
            macs += 4 * out * (in + out);
        }
        macs += (long) emb * vocabSize;
        return 2 * macs;
    }
}
