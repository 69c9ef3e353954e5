package org.lmshards.trainer.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * trained with Adam, decoupled weight decay set per layer, per-layer L2 gradient clipping and
 * truncated BPTT of {@code seqLen}. Every choice is explained in docs/MODEL.md.
 */
public final class LmNetworks {
    /** Adam settings of fastai's default optimiser ({@code moms=(0.9, 0.99)}, {@code eps=1e-5}). */
    public static final double ADAM_BETA1 = 0.9, ADAM_BETA2 = 0.99, ADAM_EPSILON = 1e-5;

    private LmNetworks() {
    }

    /** The network configuration (not initialised). */
    public static MultiLayerConfiguration configuration(LmHyperParams hp, int seqLen) {
        if (seqLen < 1) {
            throw new IllegalArgumentException("sequence length must be positive, got " + seqLen);
        }
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
                .seed(hp.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(hp.lr(), ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON))
                .weightInit(WeightInit.XAVIER);
        if (hp.clip() > 0) {
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
        RnnOutputLayer.Builder output = new RnnOutputLayer.Builder(new LossSparseMCXENT())
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

    /** A freshly initialised network (parameters drawn from {@code hp.seed()}). */
    public static StatefulLmNetwork build(LmHyperParams hp, int seqLen) {
        StatefulLmNetwork net = new StatefulLmNetwork(configuration(hp, seqLen));
        net.init();
        return net;
    }

    /** Writes the model (configuration, parameters, updater state) in DL4J's zip format. */
    public static void save(MultiLayerNetwork net, java.io.OutputStream out) throws IOException {
        ModelSerializer.writeModel(net, out, true);
    }

    /** Loads a model written by {@link #save}, as a {@link StatefulLmNetwork}. */
    public static StatefulLmNetwork load(Path modelFile) throws IOException {
        if (!Files.isRegularFile(modelFile)) {
            throw new java.nio.file.NoSuchFileException(modelFile.toString(), null, "model file missing");
        }
        MultiLayerNetwork plain;
        try (InputStream in = Files.newInputStream(modelFile)) {
            plain = ModelSerializer.restoreMultiLayerNetwork(in, true);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException(modelFile + ": not a readable DL4J model (" + e.getMessage() + ")", e);
        }
        return wrap(plain);
    }

    /** The same parameters and updater state in a {@link StatefulLmNetwork}. */
    public static StatefulLmNetwork wrap(MultiLayerNetwork plain) {
        StatefulLmNetwork net = new StatefulLmNetwork(plain.getLayerWiseConfigurations().clone());
        net.init(plain.params().dup(), false);
        INDArray updaterState = plain.getUpdater() == null ? null : plain.getUpdater().getStateViewArray();
        if (updaterState != null) {
            net.getUpdater().setStateViewArray(net, updaterState.dup(), false);
        }
        net.setIterationCount(plain.getIterationCount());
        net.setEpochCount(plain.getEpochCount());
        return net;
    }

    /** Vocabulary size (softmax outputs) of a network built here. */
    public static int vocabSize(MultiLayerNetwork net) {
        return (int) net.getLayer(net.getnLayers() - 1).getParam("b").length();
    }
}
