package org.lmshards.bench;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
 * The layouts behind the LSTM layer's products and element-wise work at the AWD-LSTM size (a
 * 1152-unit layer, bs 64, seq-len 72: 4,608 rows a segment), each pair one operation in DL4J's
 * layout and in {@code CachedForwardLstmLayer}'s:
 * <ul>
 *   <li>a time step's recurrent product {@code [64, 1152] x [1152, 4608]} with DL4J's column-major
 *       weights / row-major weights (the layer copies them once a segment);</li>
 *   <li>a weight gradient {@code [1152, 4608]^T x [4608, 4608]} into DL4J's column-major gradient
 *       view / through that view's row-major transpose ({@code MatrixProducts});</li>
 *   <li>a bias gradient, the column sums of {@code [4608, 4608]}: a column reduction / a product
 *       with a row of ones;</li>
 *   <li>a gate product {@code f c(t-1)} on {@code [64, 1152]}: the gate as columns of the
 *       interleaved {@code [64, 4608]} pre-activations / as its own plane (contiguous);</li>
 *   <li>the input dropout's backward pass on a segment's input gradient ({@code [72, 64, 1152]}
 *       as the layer computes it): DL4J's {@code SpatialDropout.backprop} on the
 *       {@code [64, 1152, 72]} view DL4J expects / the mask as one row vector over
 *       {@code [72, 64 x 1152]}.</li>
 * </ul>
 * Microseconds per operation; run with {@code OMP_NUM_THREADS=1}, and with
 * {@code -jvmArgsAppend -Dorg.bytedeco.javacpp.platform.extension=-onednn-avx512} for the build
 * trainer.jar picks on AVX-512 CPUs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class LstmLayoutBenchmark {
    private static final int BATCH = 64, UNITS = 1152, ROWS = 72 * BATCH;

    private INDArray h;
    private INDArray weightsColumnMajor;
    private INDArray weightsRowMajor;
    private INDArray stepGates;
    private INDArray segmentInput;
    private INDArray segmentGates;
    private INDArray gradientColumnMajor;
    private INDArray ones;
    private INDArray biasGradient;
    private INDArray forgetColumns;
    private INDArray forgetPlane;
    private INDArray cellBefore;
    private INDArray cell;
    private SpatialDropout dropout;
    private INDArray dropoutMask;
    private INDArray inputGradient;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        h = Nd4j.rand(DataType.FLOAT, BATCH, UNITS);
        weightsColumnMajor = Nd4j.rand(DataType.FLOAT, UNITS, 4 * UNITS).dup('f'); // DL4J's parameter views
        weightsRowMajor = weightsColumnMajor.dup('c');
        stepGates = Nd4j.rand(DataType.FLOAT, BATCH, 4 * UNITS);
        segmentInput = Nd4j.rand(DataType.FLOAT, ROWS, UNITS);
        segmentGates = Nd4j.rand(DataType.FLOAT, ROWS, 4 * UNITS);
        gradientColumnMajor = Nd4j.create(DataType.FLOAT, new long[] {UNITS, 4 * UNITS}, 'f');
        ones = Nd4j.ones(DataType.FLOAT, 1, ROWS);
        biasGradient = Nd4j.create(DataType.FLOAT, 1, 4 * UNITS);
        forgetColumns = stepGates.get(NDArrayIndex.all(), NDArrayIndex.interval(UNITS, 2 * UNITS));
        forgetPlane = Nd4j.rand(DataType.FLOAT, BATCH, UNITS);
        cellBefore = Nd4j.rand(DataType.FLOAT, BATCH, UNITS);
        cell = Nd4j.create(DataType.FLOAT, BATCH, UNITS);
        dropout = new SpatialDropout(0.9);
        dropoutMask = Nd4j.ones(DataType.FLOAT, BATCH, UNITS); // ones: the gradient stays the same, call after call
        inputGradient = Nd4j.rand(DataType.FLOAT, ROWS / BATCH, BATCH, UNITS);
    }

    @Benchmark
    public INDArray recurrentProductColumnMajorWeights() {
        Nd4j.gemm(h, weightsColumnMajor, stepGates, false, false, 1.0, 1.0);
        return stepGates;
    }

    @Benchmark
    public INDArray recurrentProductRowMajorWeights() {
        Nd4j.gemm(h, weightsRowMajor, stepGates, false, false, 1.0, 1.0);
        return stepGates;
    }

    @Benchmark
    public INDArray weightGradientIntoColumnMajor() {
        Nd4j.gemm(segmentInput, segmentGates, gradientColumnMajor, true, false, 1.0, 0.0);
        return gradientColumnMajor;
    }

    /** The same numbers as {@code c^T = dz^T x}, written through the row-major transpose. */
    @Benchmark
    public INDArray weightGradientThroughTranspose() {
        Nd4j.gemm(segmentGates, segmentInput, gradientColumnMajor.transpose(), true, false, 1.0, 0.0);
        return gradientColumnMajor;
    }

    @Benchmark
    public INDArray biasGradientColumnSums() {
        return biasGradient.assign(segmentGates.sum(true, 0));
    }

    @Benchmark
    public INDArray biasGradientProductWithOnes() {
        Nd4j.gemm(ones, segmentGates, biasGradient, false, false, 1.0, 0.0);
        return biasGradient;
    }

    @Benchmark
    public INDArray gateProductOnInterleavedColumns() {
        Nd4j.exec(new MulOp(forgetColumns, cellBefore, cell));
        return cell;
    }

    @Benchmark
    public INDArray gateProductOnGatePlane() {
        Nd4j.exec(new MulOp(forgetPlane, cellBefore, cell));
        return cell;
    }

    @Benchmark
    public INDArray inputDropoutBackpropOnDl4jView() {
        dropout.setMask(dropoutMask); // its backprop clears the mask
        INDArray view = inputGradient.permute(1, 2, 0);
        return dropout.backprop(view, view, 0, 0);
    }

    @Benchmark
    public INDArray inputDropoutBackpropAsRowVector() {
        return inputGradient.reshape('c', ROWS / BATCH, (long) BATCH * UNITS)
                .muliRowVector(dropoutMask.reshape('c', 1, (long) BATCH * UNITS));
    }
}
