package org.lmshards.trainer.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.lmshards.core.tokenize.Detokenizer;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.tokenize.SpecialTokens;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.model.LmNetworks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Continues a prompt with a trained model: the prompt goes through core's fastai tokenizer and
 * the run's vocabulary, is fed through the network with {@code rnnTimeStep} (state kept), and
 * each next token is sampled from the softmax sharpened by a temperature, then fed back.
 * {@code xxunk} and {@code xxpad} are never sampled (as fastai's {@code predict(no_unk=True)}).
 * Sampling uses its own seeded generator, so the same seed gives the same text.
 */
public final class TextGenerator {
    private final MultiLayerNetwork net;
    private final Vocabulary vocab;
    private final FastaiTokenizer tokenizer = FastaiTokenizer.defaults();

    /** The prompt's and the generated tokens, and the detokenized text of both. */
    public record Generation(List<String> promptTokens, List<String> generatedTokens, String text) {
    }

    public TextGenerator(MultiLayerNetwork net, Vocabulary vocab) {
        if (LmNetworks.vocabSize(net) != vocab.size()) {
            throw new IllegalArgumentException("model has " + LmNetworks.vocabSize(net) + " outputs, vocabulary "
                    + vocab.size() + " tokens");
        }
        this.net = net;
        this.vocab = vocab;
    }

    /**
     * @param temperature 0 picks the most likely token (greedy); otherwise probabilities are raised
     *                    to {@code 1/temperature} and renormalised
     */
    public Generation generate(String prompt, int tokens, double temperature, long seed) {
        List<String> promptTokens = tokenizer.tokenize(prompt);
        List<String> generated = new ArrayList<>();
        sample(promptTokens, tokens, temperature, seed, generated::add);
        List<String> all = new ArrayList<>(promptTokens);
        all.addAll(generated);
        return new Generation(promptTokens, generated, Detokenizer.detokenize(all));
    }

    /**
     * The same text as {@link #generate}, written to {@code out} token by token ({@code flush}
     * after each): memory does not depend on {@code tokens} (issue 25: a list pre-sized to
     * {@code --tokens 100000000} ran out of memory).
     */
    public void stream(String prompt, long tokens, double temperature, long seed, Appendable out, Runnable flush) {
        List<String> promptTokens = tokenizer.tokenize(prompt);
        Detokenizer.Stream text = new Detokenizer.Stream(out);
        promptTokens.forEach(text::accept);
        sample(promptTokens, tokens, temperature, seed, t -> {
            text.accept(t);
            flush.run();
        });
        text.finish();
        flush.run();
    }

    private void sample(List<String> promptTokens, long tokens, double temperature, long seed, Consumer<String> sink) {
        if (tokens < 0 || !(temperature >= 0)) {
            throw new IllegalArgumentException("need tokens >= 0 and temperature >= 0");
        }
        int[] ids = vocab.encode(promptTokens);
        SplittableRandom random = new SplittableRandom(seed);
        int unk = vocab.id(SpecialTokens.UNK), pad = vocab.id(SpecialTokens.PAD);
        net.rnnClearPreviousState();
        try {
            float[] f = new float[ids.length];
            for (int i = 0; i < ids.length; i++) {
                f[i] = ids[i];
            }
            INDArray out = net.rnnTimeStep(Nd4j.create(f, new long[] {1, 1, ids.length}, 'c'));
            for (long n = 0; n < tokens; n++) {
                double[] p = out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(out.size(2) - 1)).toDoubleVector();
                p[unk] = 0;
                if (pad != unk) {
                    p[pad] = 0;
                }
                int next = temperature == 0 ? argmax(p) : sample(p, temperature, random);
                sink.accept(vocab.token(next));
                out = net.rnnTimeStep(Nd4j.create(new float[] {next}, new long[] {1, 1, 1}, 'c'));
            }
        } finally {
            net.rnnClearPreviousState();
        }
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int sample(double[] p, double temperature, SplittableRandom random) {
        double max = p[argmax(p)];
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            // relative to the maximum, so that a low temperature cannot underflow everything to 0
            p[i] = p[i] <= 0 ? 0 : Math.exp(Math.log(p[i] / max) / temperature);
            total += p[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0) {
                return i;
            }
        }
        return argmax(p);
    }
}
