package org.lmshards.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The non-linearities of one LSTM time step on a {@code [batch, units]} block, as
 * {@code CachedForwardLstmLayer} can run them, each libnd4j op bound once to a native context:
 * {@code tanh} by the legacy transform / by the declarable op (oneDNN in the oneDNN build); a
 * sigmoid by the declarable {@code sigmoid} / as {@code tanh(z / 2) / 2 + 1 / 2} (the declarable
 * {@code tanh}, then {@code axpy}; the layer's gate products do the halving). Blocks: the AWD
 * size's {@code [64, 1152]} and {@code [32, 400]}, the small model's {@code [32, 128]} and
 * {@code [16, 128]} (two replicas of bs 32). Microseconds per call; run with
 * {@code OMP_NUM_THREADS=1} (replicas' calls) and 2, and with
 * {@code -jvmArgsAppend -Dorg.bytedeco.javacpp.platform.extension=-onednn-avx512}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class LstmStepOpsBenchmark {
    @Param({"64x1152", "32x400", "32x128", "16x128"})
    public String block;

    private INDArray z;
    private INDArray out;
    private OpContext declarableTanh;
    private OpContext declarableSigmoid;
    private OpContext halfPlusHalf;
    private DynamicCustomOp tanhOp;
    private DynamicCustomOp sigmoidOp;
    private DynamicCustomOp axpyOp;

    @Setup
    public void setUp() {
        String[] dims = block.split("x");
        long rows = Long.parseLong(dims[0]), units = Long.parseLong(dims[1]);
        Nd4j.getRandom().setSeed(1);
        z = Nd4j.rand(DataType.FLOAT, rows, units).subi(0.5).muli(8); // pre-activations in [-4, 4)
        out = Nd4j.create(DataType.FLOAT, rows, units);
        tanhOp = DynamicCustomOp.builder("tanh").build();
        sigmoidOp = DynamicCustomOp.builder("sigmoid").build();
        axpyOp = DynamicCustomOp.builder("axpy").build();
        declarableTanh = bind(out, z);
        declarableSigmoid = bind(out, z);
        // libnd4j's axpy computes first + a * second: 0.5 + 0.5 tanh
        halfPlusHalf = bind(out, Nd4j.valueArrayOf(new long[] {rows, units}, 0.5, DataType.FLOAT), out);
        halfPlusHalf.setTArguments(0.5);
    }

    private static OpContext bind(INDArray output, INDArray... inputs) {
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(inputs);
        context.setOutputArrays(output);
        return context;
    }

    @TearDown
    public void tearDown() throws Exception {
        declarableTanh.close();
        declarableSigmoid.close();
        halfPlusHalf.close();
    }

    @Benchmark
    public INDArray tanhLegacy() {
        Nd4j.exec(new Tanh(z, out));
        return out;
    }

    @Benchmark
    public INDArray tanhDeclarable() {
        Nd4j.getExecutioner().exec(tanhOp, declarableTanh);
        return out;
    }

    @Benchmark
    public INDArray sigmoidDeclarable() {
        Nd4j.getExecutioner().exec(sigmoidOp, declarableSigmoid);
        return out;
    }

    @Benchmark
    public INDArray sigmoidByTanh() {
        Nd4j.getExecutioner().exec(tanhOp, declarableTanh);
        Nd4j.getExecutioner().exec(axpyOp, halfPlusHalf);
        return out;
    }
}
