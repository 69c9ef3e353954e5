package org.lmshards.trainer.model;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Draws the network's parameters for an {@link InitScheme} other than DL4J's own Xavier, from
 * the seed alone (a {@link SplittableRandom} per parameter array, in layer order), so the same
 * seed gives the same network on every backend.
 *
 * <p>DL4J's LSTM keeps one bias vector per layer where PyTorch keeps {@code bias_ih} and
 * {@code bias_hh}; the bias drawn here is the sum of two draws, which is what PyTorch's LSTM adds.
 * Gate order does not matter for these schemes (every gate is drawn alike), except for an
 * explicit forget-gate bias: DL4J's columns are {@code [block input, forget, output, input gate]}.
 */
public final class LmInitializer {
    private LmInitializer() {
    }

    /** Overwrites the parameters of a network built by {@link LmNetworks} (not the output bias's later unigram init). */
    public static void apply(MultiLayerNetwork net, LmHyperParams hp) {
        OptimizerSettings o = hp.optimizer();
        SplittableRandom root = new SplittableRandom(hp.seed() ^ 0x5DEECE66DL);
        if (o.init() != InitScheme.XAVIER) {
            for (int i = 0; i < net.getnLayers(); i++) {
                Layer layer = net.getLayer(i);
                SplittableRandom rnd = root.split();
                if (layer instanceof org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingSequenceLayer) {
                    INDArray w = layer.getParam("W");
                    fill(w, o.init() == InitScheme.PYTORCH ? normal(rnd, w.length(), 1.0) : uniform(rnd, w.length(), 0.1, 1));
                } else if (layer instanceof LSTM) {
                    INDArray w = layer.getParam("W"), rw = layer.getParam("RW"), b = layer.getParam("b");
                    double k = 1 / Math.sqrt(rw.size(0));
                    fill(w, uniform(rnd, w.length(), k, 1));
                    fill(rw, uniform(rnd, rw.length(), k, 1));
                    fill(b, uniform(rnd, b.length(), k, 2));
                } else if (layer.numParams() > 0 && layer.paramTable().containsKey("W")) {
                    INDArray w = layer.getParam("W");
                    double bound = o.init() == InitScheme.PYTORCH ? 1 / Math.sqrt(w.size(0)) : 0.1;
                    fill(w, uniform(rnd, w.length(), bound, 1));
                    layer.getParam("b").assign(0);
                }
            }
        }
        if (o.forgetBias() != null) {
            for (int i = 0; i < net.getnLayers(); i++) {
                if (net.getLayer(i) instanceof LSTM lstm) {
                    INDArray b = lstm.getParam("b");
                    long n = b.length() / 4;
                    for (long j = n; j < 2 * n; j++) {
                        b.putScalar(j, o.forgetBias());
                    }
                }
            }
        }
    }

    private static void fill(INDArray target, float[] values) {
        target.assign(Nd4j.create(values, target.shape(), target.ordering()));
    }

    /** {@code terms} draws of U(-bound, bound) summed, per element. */
    static float[] uniform(SplittableRandom rnd, long n, double bound, int terms) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            double s = 0;
            for (int t = 0; t < terms; t++) {
                s += (rnd.nextDouble() * 2 - 1) * bound;
            }
            v[i] = (float) s;
        }
        return v;
    }

    static float[] normal(SplittableRandom rnd, long n, double std) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i += 2) {
            // Box-Muller: two independent normals per pair of uniforms
            double u1 = 1 - rnd.nextDouble(), u2 = rnd.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * std;
            v[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < v.length) {
                v[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return v;
    }
}
