package org.lmshards.trainer.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * Builds, saves and loads the LSTM language model:
 * {@code EmbeddingSequenceLayer -> LSTM x layers -> RnnOutputLayer(softmax, sparse cross-entropy)},
 * trained with Adam, decoupled weight decay set per layer, gradient clipping (global, by
 * {@link StatefulLmNetwork}, or DL4J's per layer) and truncated BPTT of {@code seqLen}. Every
 * choice is explained and measured in docs/MODEL.md.
 */
public final class LmNetworks {
    private LmNetworks() {
    }

    /** The network configuration (not initialised), in float32. */
    public static MultiLayerConfiguration configuration(LmHyperParams hp, int seqLen) {
        return configuration(hp, seqLen, DataType.FLOAT);
    }

    /** The same in another precision (float64 for gradient checks). */
    static MultiLayerConfiguration configuration(LmHyperParams hp, int seqLen, DataType dataType) {
        if (seqLen < 1) {
            throw new IllegalArgumentException("sequence length must be positive, got " + seqLen);
        }
        OptimizerSettings o = hp.optimizer();
        boolean tokenMean = o.lossScale() == LossScale.TOKEN_MEAN;
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
                .seed(hp.seed())
                .dataType(dataType)
                .updater(new Adam(hp.lr(), o.beta1(), o.beta2(), o.eps()))
                .weightInit(WeightInit.XAVIER)
                // The token-mean loss already divides by every token; DL4J would divide again by the rows.
                .miniBatch(!tokenMean);
        if (hp.clip() > 0 && o.clipScope() == ClipScope.LAYER) {
            base.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(hp.clip());
        }
        NeuralNetConfiguration.ListBuilder list = base.list();
        // Weight decay is set on each layer: the global builder's weightDecay() would be applied twice.
        list.layer(new EmbeddingSequenceLayer.Builder()
                .nIn(hp.vocabSize()).nOut(hp.emb())
                .hasBias(false)
                .outputDataFormat(RNNFormat.NCW)
                .weightDecay(hp.wd(), true)
                .build());
        for (int i = 0; i < hp.layers(); i++) {
            double inDrop = i == 0 ? hp.inputP() : hp.hiddenP();
            LSTM.Builder lstm = new LSTM.Builder()
                    .nIn(hp.lstmInputSize(i)).nOut(hp.lstmSize(i))
                    .activation(Activation.TANH)
                    .dataFormat(RNNFormat.NCW);
            lstm.weightDecay(hp.wd(), true);
            lstm.weightDecayBias(hp.wd(), true);
            if (inDrop > 0) {
                // DL4J applies a layer's dropout to its input; SpatialDropout on [batch, features, time]
                // keeps one mask per (row, feature) for all time steps: fastai's RNNDropout.
                lstm.dropOut(new SpatialDropout(1.0 - inDrop));
            }
            if (hp.weightP() > 0) {
                lstm.weightNoise(new RecurrentWeightDropout(hp.weightP()));
            }
            list.layer(lstm.build());
        }
        if (hp.outputP() > 0) {
            // Not .dropOut() on the RnnOutputLayer: it applies dropout after flattening to 2-d,
            // where SpatialDropout cannot keep one mask per (row, feature) across time.
            list.layer(new DropoutLayer.Builder(new SpatialDropout(1.0 - hp.outputP())).build());
        }
        RnnOutputLayer.Builder output = new RnnOutputLayer.Builder(
                tokenMean ? new TokenMeanSparseCrossEntropy() : new LossSparseMCXENT())
                .nIn(hp.emb()).nOut(hp.vocabSize())
                .activation(Activation.SOFTMAX)
                .dataFormat(RNNFormat.NCW);
        output.weightDecay(hp.wd(), true);
        output.weightDecayBias(hp.wd(), true);
        list.layer(output.build());
        return list
                .setInputType(InputType.recurrent(hp.vocabSize()))
                .backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(seqLen)
                .tBPTTBackwardLength(seqLen)
                .build();
    }

    /**
     * A freshly initialised network (parameters drawn from {@code hp.seed()} by the settings'
     * {@link InitScheme}), clipping its global gradient norm when the settings say so.
     */
    public static StatefulLmNetwork build(LmHyperParams hp, int seqLen) {
        return build(hp, seqLen, NetworkImplementation.fromSystemProperties());
    }

    /** {@link #build(LmHyperParams, int)} with the given implementation of its layers. */
    public static StatefulLmNetwork build(LmHyperParams hp, int seqLen, NetworkImplementation implementation) {
        StatefulLmNetwork net = new StatefulLmNetwork(configuration(hp, seqLen), implementation);
        net.init();
        LmInitializer.apply(net, hp);
        configureClipping(net, hp);
        return net;
    }

    /** Sets the network's global gradient clipping from the settings (none when clipping is per layer). */
    public static void configureClipping(StatefulLmNetwork net, LmHyperParams hp) {
        net.setGlobalClip(hp.optimizer().clipScope() == ClipScope.GLOBAL ? hp.clip() : 0);
    }

    /** Writes the model (configuration, parameters, updater state) in DL4J's zip format. */
    public static void save(MultiLayerNetwork net, java.io.OutputStream out) throws IOException {
        ModelSerializer.writeModel(net, out, true);
    }

    /**
     * Loads the configuration and parameters of a model written by {@link #save}, as a
     * {@link StatefulLmNetwork}: not the updater state the file also holds (twice the parameters),
     * which nothing that reads a finished run uses (evaluate, generate, export, {@code --init-from};
     * resuming reads {@code checkpoint.zip}). Read from the file itself: DL4J copies a stream to a
     * temporary file first. Together they cut {@code generate}'s start at the AWD size from 12-13 s
     * to 8-10 s.
     */
    public static StatefulLmNetwork load(Path modelFile) throws IOException {
        if (!Files.isRegularFile(modelFile)) {
            throw new java.nio.file.NoSuchFileException(modelFile.toString(), null, "model file missing");
        }
        MultiLayerNetwork plain;
        try {
            plain = ModelSerializer.restoreMultiLayerNetwork(modelFile.toFile(), false);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException(modelFile + ": not a readable DL4J model (" + e.getMessage() + ")", e);
        }
        return wrap(plain);
    }

    /** The same parameters and updater state (if {@code plain} has one) in a {@link StatefulLmNetwork}. */
    public static StatefulLmNetwork wrap(MultiLayerNetwork plain) {
        StatefulLmNetwork net = new StatefulLmNetwork(plain.getLayerWiseConfigurations().clone());
        net.init(plain.params().dup(), false);
        // getUpdater() would make an updater (Adam's state: twice the parameters) where there is none
        Updater updater = plain.getUpdater(false);
        INDArray updaterState = updater == null ? null : updater.getStateViewArray();
        if (updaterState != null) {
            net.getUpdater().setStateViewArray(net, updaterState.dup(), false);
        }
        net.setIterationCount(plain.getIterationCount());
        net.setEpochCount(plain.getEpochCount());
        return net;
    }

    /**
     * Sets the output layer's bias to the log of the add-one-smoothed unigram frequencies
     * {@code counts}, so that the untrained network already predicts the unigram distribution
     * and training spends its steps on context (fastai starts from a zero bias; with Adam a bias
     * moves by about the learning rate per step, so reaching log-frequency differences of 10
     * takes hundreds of steps otherwise).
     */
    public static void initOutputBiasToLogUnigram(MultiLayerNetwork net, long[] counts) {
        INDArray bias = net.getLayer(net.getnLayers() - 1).getParam("b");
        if (bias.length() != counts.length) {
            throw new IllegalArgumentException("counts for " + counts.length + " ids, model has " + bias.length() + " outputs");
        }
        double total = counts.length;
        for (long c : counts) {
            total += c;
        }
        float[] logp = new float[counts.length];
        for (int i = 0; i < counts.length; i++) {
            logp[i] = (float) Math.log((counts[i] + 1) / total);
        }
        bias.assign(org.nd4j.linalg.factory.Nd4j.create(logp).reshape(bias.shape()));
    }

    /** Vocabulary size (softmax outputs) of a network built here. */
    public static int vocabSize(MultiLayerNetwork net) {
        return (int) net.getLayer(net.getnLayers() - 1).getParam("b").length();
    }
}
