package org.lmshards.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A custom op (element-wise, or a matrix product) bound once to its input and output arrays in a
 * native op context, then run any number of times. Building libnd4j's context is most of a small
 * op's cost: a {@code multiply} of two {@code [16, 128]} floats took 10.4 microseconds as
 * {@code Nd4j.exec(new MulOp(...))} and 1.3 with its context kept (one thread).
 * {@link CachedForwardLstmLayer} runs about a dozen such ops per time step, on views that stay the
 * same from segment to segment.
 */
final class BoundOp implements AutoCloseable {
    private final DynamicCustomOp op;
    private final OpContext context;

    private BoundOp(DynamicCustomOp op, INDArray out, INDArray... inputs) {
        this.op = op;
        this.context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(inputs);
        context.setOutputArrays(out);
    }

    /** {@code out = x * y}, element by element ({@code out} may be {@code x} or {@code y}). */
    static BoundOp multiply(INDArray x, INDArray y, INDArray out) {
        return new BoundOp(new MulOp(), out, x, y);
    }

    /** {@code out = x + y}, element by element ({@code out} may be {@code x} or {@code y}). */
    static BoundOp add(INDArray x, INDArray y, INDArray out) {
        return new BoundOp(new AddOp(), out, x, y);
    }

    /**
     * {@code out = tanh(x)} by libnd4j's declarable {@code tanh}, which the oneDNN build runs with
     * oneDNN: 6-12 times the legacy transform on blocks of the AWD size's gates, but slower than it
     * on small blocks (see {@link CachedForwardLstmLayer}).
     */
    static BoundOp tanh(INDArray x, INDArray out) {
        return new BoundOp(DynamicCustomOp.builder("tanh").build(), out, x);
    }

    /**
     * {@code out = sigmoid(x)} by libnd4j's declarable {@code sigmoid} (the legacy transform's
     * loop, without building an op and its context at every call).
     */
    static BoundOp sigmoid(INDArray x, INDArray out) {
        return new BoundOp(DynamicCustomOp.builder("sigmoid").build(), out, x);
    }

    /**
     * {@code out += x y} (matrix product) by libnd4j's {@code matmul}, which the oneDNN build
     * runs with oneDNN when all three are contiguous and {@code out} is row-major.
     */
    static BoundOp accumulateProduct(INDArray x, INDArray y, INDArray out) {
        return accumulateProduct(1.0, x, y, out);
    }

    /** {@code out += alpha x y} (matrix product), as {@link #accumulateProduct(INDArray, INDArray, INDArray)}. */
    static BoundOp accumulateProduct(double alpha, INDArray x, INDArray y, INDArray out) {
        BoundOp product = new BoundOp(DynamicCustomOp.builder("matmul").build(), out, x, y);
        product.context.setIArguments(0, 0, 0); // no transposes
        product.context.setTArguments(alpha, 1.0); // alpha, beta
        return product;
    }

    /** {@code out = a x + y}, element by element ({@code out} may be {@code x} or {@code y}). */
    static BoundOp axpy(double a, INDArray x, INDArray y, INDArray out) {
        // libnd4j's axpy computes first + a * second
        BoundOp axpy = new BoundOp(DynamicCustomOp.builder("axpy").build(), out, y, x);
        axpy.context.setTArguments(a);
        return axpy;
    }

    void run() {
        Nd4j.getExecutioner().exec(op, context);
    }

    /** Frees the native context. */
    @Override
    public void close() {
        try {
            context.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing a native op context: " + e, e);
        }
    }
}
