package org.lmshards.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products laid out the way libnd4j's oneDNN {@code matmul} runs at full speed.
 *
 * <p>In the oneDNN build (the default, docs/BACKENDS.md) libnd4j hands a float product to oneDNN
 * only when its output is not column-major; DL4J's weight and gradient views are column-major
 * ({@code 'f'}), and into those the same product fell back to a loop at half the speed (one
 * thread, a 1152-unit LSTM's {@code [1152, 4608] x [4608, 4608]} weight gradient: 530 against 258
 * ms).
 */
final class MatrixProducts {
    private MatrixProducts() {
    }

    /**
     * {@code c = alpha op(a) op(b) + beta c}; a column-major {@code c} gets the same numbers as
     * {@code c^T = op(b)^T op(a)^T} written through its row-major transpose.
     */
    static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
                     double alpha, double beta) {
        if (c.rank() == 2 && c.ordering() == 'f' && c.size(0) > 1 && c.size(1) > 1) {
            Nd4j.gemm(b, a, c.transpose(), !transposeB, !transposeA, alpha, beta);
        } else {
            Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
        }
    }
}
