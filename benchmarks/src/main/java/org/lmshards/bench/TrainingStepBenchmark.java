package org.lmshards.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.OptimizerSettings;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step's forward pass, backward pass and score (no updater) of the small language
 * model of docs/BENCHMARKS.md "Training" (vocabulary 9,008, embedding 32, LSTM 128 and 32, bs 32,
 * seq-len 32), with DL4J's stock network ({@code network=dl4j}: a plain
 * {@link MultiLayerNetwork} of the same configuration) against the trainer's
 * ({@code network=lmshards}: {@code StatefulLmNetwork} with its row-major output layer).
 * One operation is one batch of 1,024 tokens. Run with {@code OMP_NUM_THREADS=1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class TrainingStepBenchmark {

    @Param({"dl4j", "lmshards"})
    public String network;

    @Param("9008")
    public int vocab;

    private MultiLayerNetwork net;
    private INDArray features;
    private INDArray labels;

    @Setup
    public void setUp() {
        int bs = 32, seqLen = 32;
        LmHyperParams hp = new LmHyperParams(vocab, 32, 128, 2, 0, 0, 0, 0, 0, 2e-2, 0.01, 0.25, 42,
                OptimizerSettings.DEFAULTS);
        if (network.equals("dl4j")) {
            net = new MultiLayerNetwork(LmNetworks.configuration(hp, seqLen));
            net.init();
        } else {
            net = LmNetworks.build(hp, seqLen);
        }
        SplittableRandom rnd = new SplittableRandom(1);
        float[] x = new float[bs * seqLen], y = new float[bs * seqLen];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(vocab);
            y[i] = rnd.nextInt(vocab);
        }
        features = Nd4j.create(x, new long[] {bs, 1, seqLen}, 'c');
        labels = Nd4j.create(y, new long[] {bs, 1, seqLen}, 'c');
    }

    @Benchmark
    public double step() {
        net.setInput(features);
        net.setLabels(labels);
        net.computeGradientAndScore();
        return net.score();
    }
}
