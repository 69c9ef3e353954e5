package org.lmshards.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ND4J operations behind one batch's language-model logits ({@code [1024, 32] x [32, 9008]},
 * the small model of docs/BENCHMARKS.md "Training"), in the layouts DL4J 1.0.0-M2.1 and the
 * trainer's {@code LmOutputLayer} use them: DL4J's {@code mmuli} into a row-major result
 * (a column-major product, then a strided copy), that copy alone, the product straight into the
 * row-major result, and the softmax along rows of a row-major array (as rank 2 and as rank 3)
 * and a column-major one; and the backward product {@code delta W^T} that gives the layer's input
 * gradient ({@code [1024, 9008] x [9008, 32]}), into a column-major result (before 2026-12-07) and
 * a row-major one. Milliseconds per operation; run with {@code OMP_NUM_THREADS=1}, and
 * with {@code -jvmArgsAppend -Dorg.bytedeco.javacpp.platform.extension=-onednn-avx512} for the
 * oneDNN build trainer.jar picks on AVX-512 CPUs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class LogitsLayoutBenchmark {
    private INDArray x;
    private INDArray w;
    private INDArray rowMajor;
    private INDArray columnMajor;
    private INDArray scratch;
    private INDArray inputGradColumnMajor;
    private INDArray inputGradRowMajor;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        x = Nd4j.rand(DataType.FLOAT, 1024, 32);
        w = Nd4j.rand(DataType.FLOAT, 32, 9008).dup('f'); // DL4J's parameter views are column-major
        rowMajor = Nd4j.create(DataType.FLOAT, new long[] {1024, 9008}, 'c');
        columnMajor = Nd4j.rand(DataType.FLOAT, 1024, 9008).dup('f');
        scratch = Nd4j.create(DataType.FLOAT, new long[] {1024, 9008}, 'c');
        inputGradColumnMajor = Nd4j.create(DataType.FLOAT, new long[] {1024, 32}, 'f');
        inputGradRowMajor = Nd4j.create(DataType.FLOAT, new long[] {1024, 32}, 'c');
    }

    @Benchmark
    public INDArray dl4jMmuliIntoRowMajor() {
        return x.mmuli(w, rowMajor);
    }

    @Benchmark
    public INDArray columnToRowMajorCopy() {
        return rowMajor.assign(columnMajor);
    }

    @Benchmark
    public INDArray gemmIntoRowMajor() {
        Nd4j.gemm(x, w, rowMajor, false, false, 1.0, 0.0);
        return rowMajor;
    }

    @Benchmark
    public INDArray softmaxRowMajor() {
        Nd4j.exec(new SoftMax(rowMajor, scratch, 1));
        return scratch;
    }

    /** The same rows viewed as {@code [1, 1024, 9008]}: libnd4j gives rank 3 to oneDNN (RowSoftmax). */
    @Benchmark
    public INDArray softmaxRowMajorAsRank3() {
        Nd4j.exec(new SoftMax(rowMajor.reshape(1, 1024, 9008), scratch.reshape(1, 1024, 9008), 2));
        return scratch;
    }

    @Benchmark
    public INDArray softmaxColumnMajor() {
        Nd4j.exec(new SoftMax(columnMajor, columnMajor.ulike(), 1));
        return columnMajor;
    }

    /** {@code delta W^T}, delta the row-major logits' gradient, into a column-major result. */
    @Benchmark
    public INDArray inputGradientIntoColumnMajor() {
        Nd4j.gemm(rowMajor, w, inputGradColumnMajor, false, true, 1.0, 0.0);
        return inputGradColumnMajor;
    }

    /** The same product into a row-major result, as {@code LmOutputLayer} makes it. */
    @Benchmark
    public INDArray inputGradientIntoRowMajor() {
        Nd4j.gemm(rowMajor, w, inputGradRowMajor, false, true, 1.0, 0.0);
        return inputGradRowMajor;
    }
}
