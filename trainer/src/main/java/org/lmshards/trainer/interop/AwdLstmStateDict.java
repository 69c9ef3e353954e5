package org.lmshards.trainer.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.lmshards.trainer.finetune.PretrainedWeights;
import org.lmshards.trainer.train.rundir.DamagedRunFileException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The language model's parameters under fastai's {@code AWD_LSTM} language-model
 * {@code state_dict} names and PyTorch shapes, and back.
 *
 * <p>DL4J's LSTM ({@code LSTMParamInitializer}) keeps input weights {@code W} as
 * {@code [nIn, 4n]}, recurrent weights {@code RW} as {@code [n, 4n]} and one bias {@code b} of
 * {@code 4n}, the column blocks in the order of {@code LSTMHelpers}: block input (tanh), forget,
 * output, input gate. PyTorch's {@code weight_ih_l0} is {@code [4n, nIn]}, {@code weight_hh_l0}
 * {@code [4n, n]}, with rows in gate order i, f, g, o, and two biases that it adds. Export
 * transposes and reorders, writes the bias to {@code bias_ih_l0} and zeros to
 * {@code bias_hh_l0}; import sums the two. The output layer's {@code W} is {@code [emb, vocab]},
 * PyTorch's decoder weight {@code [vocab, emb]}; the embedding is {@code [vocab, emb]} in both.
 */
public final class AwdLstmStateDict {
    public static final String ENCODER = "0.encoder.weight", ENCODER_DP = "0.encoder_dp.emb.weight",
            DECODER_WEIGHT = "1.decoder.weight", DECODER_BIAS = "1.decoder.bias", ITOS = "itos";
    /** DL4J's column block of each PyTorch gate, in PyTorch's order i, f, g, o. */
    private static final int[] DL4J_BLOCK = {3, 1, 0, 2};

    private AwdLstmStateDict() {
    }

    public static String weightIh(int layer) {
        return "0.rnns." + layer + ".module.weight_ih_l0";
    }

    /** fastai's {@code WeightDropout} keeps the undropped recurrent weights under this name. */
    public static String weightHhRaw(int layer) {
        return "0.rnns." + layer + ".weight_hh_l0_raw";
    }

    public static String biasIh(int layer) {
        return "0.rnns." + layer + ".module.bias_ih_l0";
    }

    public static String biasHh(int layer) {
        return "0.rnns." + layer + ".module.bias_hh_l0";
    }

    /** The network's tensors (and {@code itos}) by state_dict name, in fastai's order. */
    public static Map<String, NpzArray> export(MultiLayerNetwork net, List<String> itos) {
        Map<String, NpzArray> out = new LinkedHashMap<>();
        INDArray emb = net.getLayer(0).getParam("W");
        if (emb.size(0) != itos.size()) {
            throw new IllegalArgumentException("model has " + emb.size(0) + " embedding rows but the vocabulary "
                    + itos.size() + " tokens");
        }
        out.put(ENCODER, NpzArray.of(rowMajor(emb), emb.shape()));
        out.put(ENCODER_DP, NpzArray.of(rowMajor(emb), emb.shape()));
        List<Layer> lstms = PretrainedWeights.lstms(net);
        for (int i = 0; i < lstms.size(); i++) {
            Layer l = lstms.get(i);
            INDArray w = l.getParam("W"), rw = l.getParam("RW"), b = l.getParam("b");
            long n = rw.size(0);
            out.put(weightIh(i), NpzArray.of(toGateRows(w, n), 4 * n, w.size(0)));
            out.put(weightHhRaw(i), NpzArray.of(toGateRows(rw, n), 4 * n, n));
            out.put(biasIh(i), NpzArray.of(toGateRows(b.reshape(1, b.length()), n), 4 * n));
            out.put(biasHh(i), NpzArray.of(new float[(int) (4 * n)], 4 * n));
        }
        Layer output = net.getLayer(net.getnLayers() - 1);
        INDArray ow = output.getParam("W"), ob = output.getParam("b");
        out.put(DECODER_WEIGHT, NpzArray.of(rowMajor(ow.transpose()), ow.size(1), ow.size(0)));
        out.put(DECODER_BIAS, NpzArray.of(rowMajor(ob.reshape(ob.length())), ob.length()));
        out.put(ITOS, NpzArray.ofStrings(itos));
        return out;
    }

    /**
     * The shape of the model {@code arrays} describe (vocabulary from the encoder, layer count
     * from the {@code weight_ih_l0} entries), every tensor checked against it.
     *
     * @param file named in errors
     */
    public static ModelShape shape(Map<String, NpzArray> arrays, Path file) throws IOException {
        NpzArray enc = require(arrays, ENCODER, file);
        if (enc.shape().length != 2) {
            throw new DamagedRunFileException(file, ENCODER + " has shape " + enc.shapeText() + ", expected [vocab, emb]", null);
        }
        requireFinite(enc, ENCODER, file);
        int vocab = Math.toIntExact(enc.shape()[0]), emb = Math.toIntExact(enc.shape()[1]);
        int layers = 0;
        while (arrays.containsKey(weightIh(layers))) {
            layers++;
        }
        if (layers == 0) {
            throw new DamagedRunFileException(file, "no LSTM layers: entry " + weightIh(0) + " missing", null);
        }
        int hidden = layers == 1 ? emb : hiddenByMajority(arrays, file);
        ModelShape shape = new ModelShape(vocab, emb, hidden, layers);
        for (int i = 0; i < layers; i++) {
            long n = shape.lstmSize(i), in = shape.lstmInputSize(i);
            expect(arrays, weightIh(i), file, shape, 4 * n, in);
            expectShape(recurrent(arrays, i, file), recurrentName(arrays, i), file, shape, 4 * n, n);
            expect(arrays, biasIh(i), file, shape, 4 * n);
            if (arrays.containsKey(biasHh(i))) {
                expect(arrays, biasHh(i), file, shape, 4 * n);
            }
        }
        expect(arrays, DECODER_WEIGHT, file, shape, vocab, emb);
        expect(arrays, DECODER_BIAS, file, shape, vocab);
        NpzArray itos = require(arrays, ITOS, file);
        if (!itos.isStrings() || itos.strings().size() != vocab) {
            throw new DamagedRunFileException(file, "itos must be " + vocab + " strings (one per encoder row), got "
                    + (itos.isStrings() ? itos.strings().size() + " strings" : "numbers of shape " + itos.shapeText()), null);
        }
        return shape;
    }

    /** Copies {@code arrays} (checked by {@link #shape}) into {@code net}, which must have that shape. */
    public static void load(Map<String, NpzArray> arrays, MultiLayerNetwork net, Path file) throws IOException {
        ModelShape shape = shape(arrays, file);
        net.getLayer(0).getParam("W").assign(matrix(arrays.get(ENCODER)));
        List<Layer> lstms = PretrainedWeights.lstms(net);
        if (lstms.size() != shape.layers()) {
            throw new IllegalArgumentException("network has " + lstms.size() + " LSTM layers, " + file + " " + shape.layers());
        }
        for (int i = 0; i < lstms.size(); i++) {
            Layer l = lstms.get(i);
            int n = shape.lstmSize(i);
            l.getParam("W").assign(fromGateRows(arrays.get(weightIh(i)).floats(), n, shape.lstmInputSize(i)));
            l.getParam("RW").assign(fromGateRows(recurrent(arrays, i, file).floats(), n, n));
            float[] bias = arrays.get(biasIh(i)).floats().clone();
            NpzArray hh = arrays.get(biasHh(i));
            if (hh != null) {
                for (int k = 0; k < bias.length; k++) {
                    bias[k] += hh.floats()[k]; // PyTorch adds both biases; DL4J has one
                }
            }
            INDArray b = l.getParam("b");
            b.assign(fromGateRows(bias, n, 1).reshape(b.shape()));
        }
        Layer output = net.getLayer(net.getnLayers() - 1);
        output.getParam("W").assign(matrix(arrays.get(DECODER_WEIGHT)).transpose());
        INDArray ob = output.getParam("b");
        ob.assign(Nd4j.create(arrays.get(DECODER_BIAS).floats()).reshape(ob.shape()));
    }

    /**
     * The hidden size most of layer 0's tensors (and layer 1's input) agree on, so that the check
     * below names the one tensor of a wrong shape, not a good one measured against it (issue 25).
     */
    private static int hiddenByMajority(Map<String, NpzArray> arrays, Path file) throws IOException {
        List<Long> votes = new java.util.ArrayList<>();
        NpzArray hh = recurrent(arrays, 0, file);
        vote(votes, hh, 1, 1);
        vote(votes, hh, 0, 4);
        vote(votes, arrays.get(weightIh(0)), 0, 4);
        vote(votes, arrays.get(biasIh(0)), 0, 4);
        vote(votes, arrays.get(weightIh(1)), 1, 1);
        long best = votes.get(0);
        long bestCount = 0;
        for (long v : votes) {
            long count = votes.stream().filter(x -> x == v).count();
            if (count > bestCount) {
                best = v;
                bestCount = count;
            }
        }
        return Math.toIntExact(best);
    }

    /** Adds {@code a.shape[dim] / div} when {@code a} is a float tensor with that dimension. */
    private static void vote(List<Long> votes, NpzArray a, int dim, int div) {
        if (a != null && !a.isStrings() && a.shape().length > dim && a.shape()[dim] % div == 0) {
            votes.add(a.shape()[dim] / div);
        }
    }

    private static String recurrentName(Map<String, NpzArray> arrays, int i) {
        String plain = "0.rnns." + i + ".module.weight_hh_l0";
        return !arrays.containsKey(weightHhRaw(i)) && arrays.containsKey(plain) ? plain : weightHhRaw(i);
    }

    /** {@code weight_hh_l0_raw}, or a plain LSTM's {@code module.weight_hh_l0} when there is no raw copy. */
    private static NpzArray recurrent(Map<String, NpzArray> arrays, int i, Path file) throws IOException {
        return require(arrays, recurrentName(arrays, i), file);
    }

    /** {@code m} ({@code [rows, 4n]}, DL4J's gate blocks as columns) as PyTorch's {@code [4n, rows]}, row-major. */
    private static float[] toGateRows(INDArray m, long n) {
        float[][] w = m.toFloatMatrix();
        int rows = w.length, hn = (int) n;
        float[] out = new float[4 * hn * rows];
        for (int g = 0; g < 4; g++) {
            int col0 = DL4J_BLOCK[g] * hn;
            for (int k = 0; k < hn; k++) {
                int base = (g * hn + k) * rows;
                for (int j = 0; j < rows; j++) {
                    out[base + j] = w[j][col0 + k];
                }
            }
        }
        return out;
    }

    /** The inverse of {@link #toGateRows}: PyTorch's row-major {@code [4n, rows]} as DL4J's {@code [rows, 4n]}. */
    private static INDArray fromGateRows(float[] v, int n, int rows) {
        float[][] w = new float[rows][4 * n];
        for (int g = 0; g < 4; g++) {
            int col0 = DL4J_BLOCK[g] * n;
            for (int k = 0; k < n; k++) {
                int base = (g * n + k) * rows;
                for (int j = 0; j < rows; j++) {
                    w[j][col0 + k] = v[base + j];
                }
            }
        }
        return Nd4j.create(w);
    }

    private static float[] rowMajor(INDArray m) {
        return m.dup('c').data().asFloat();
    }

    private static INDArray matrix(NpzArray a) {
        return Nd4j.create(a.floats(), a.shape(), 'c');
    }

    private static NpzArray require(Map<String, NpzArray> arrays, String name, Path file) throws IOException {
        NpzArray a = arrays.get(name);
        if (a == null) {
            throw new DamagedRunFileException(file, "entry " + name + " missing (expected fastai AWD_LSTM"
                    + " language-model names, see docs/MODEL.md)", null);
        }
        return a;
    }

    private static void expect(Map<String, NpzArray> arrays, String name, Path file, ModelShape model, long... shape)
            throws IOException {
        expectShape(require(arrays, name, file), name, file, model, shape);
    }

    private static void expectShape(NpzArray a, String name, Path file, ModelShape model, long... shape)
            throws IOException {
        if (a.isStrings() || !Arrays.equals(a.shape(), shape)) {
            throw new DamagedRunFileException(file, name + " has shape " + (a.isStrings() ? "(strings)" : a.shapeText())
                    + ", expected " + Arrays.toString(shape) + " for a model of " + model.describe(), null);
        }
        requireFinite(a, name, file);
    }

    /** NaN or infinite weights make every prediction NaN (evaluate then reported perplexity NaN, exit 0). */
    private static void requireFinite(NpzArray a, String name, Path file) throws IOException {
        float[] v = a.floats();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new DamagedRunFileException(file, name + " holds " + v[i] + " at flat index " + i
                        + ": a model's weights must be finite numbers", null);
            }
        }
    }
}
