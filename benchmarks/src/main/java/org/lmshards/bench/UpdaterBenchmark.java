package org.lmshards.bench;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.lmshards.trainer.backend.NativeThreads;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.OptimizerSettings;
import org.lmshards.trainer.model.RowReplicas;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One optimizer update of the whole model (DL4J's Adam and decoupled weight decay over every
 * parameter, as a training step runs it after the gradient): DL4J's serial updater
 * ({@code replicas=1}) against the trainer's {@code SlicedUpdater}, which runs it in slices on
 * the threads of the row replicas ({@code replicas=2}). Sizes: the small model (688,560
 * parameters at vocabulary 9,008) and the AWD-LSTM shape (27,477,872). Milliseconds per update;
 * run with {@code OMP_NUM_THREADS=1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class UpdaterBenchmark {

    @Param({"small", "awd"})
    public String size;

    @Param({"1", "2"})
    public int replicas;

    private StatefulLmNetwork net;
    private RowReplicas group;
    private DefaultGradient gradient;
    private int iteration;

    @Setup
    public void setUp() {
        LmHyperParams hp = size.equals("small")
                ? new LmHyperParams(9008, 32, 128, 2, 0, 0, 0, 0, 0, 2e-2, 0.01, 0.25, 42, OptimizerSettings.DEFAULTS)
                : new LmHyperParams(9008, 400, 1152, 3, 0, 0, 0, 0, 0, 5e-3, 0.01, 0.25, 42, OptimizerSettings.DEFAULTS);
        NativeThreads.onePerCaller(); // as in training with replicas, where the serial update has one thread
        net = LmNetworks.build(hp, 32);
        group = RowReplicas.attach(net, replicas);
        net.getUpdater(); // creates the gradient view
        INDArray view = net.getFlattenedGradients();
        Nd4j.getRandom().setSeed(1);
        view.assign(Nd4j.randn(DataType.FLOAT, view.shape()).muli(1e-3));
        gradient = new DefaultGradient(view);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        group.close();
    }

    /** The update turns the gradient into the step in place; repeated, it stays finite (Adam normalises it). */
    @Benchmark
    public INDArray update() {
        net.getUpdater().update(net, gradient, iteration++, 0, 32, LayerWorkspaceMgr.noWorkspaces());
        return gradient.gradient();
    }
}
