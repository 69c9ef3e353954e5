package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A product into a column-major destination (a DL4J gradient view) gives what the plain product
 * gives, for every transpose combination, overwriting and accumulating, in both float types.
 */
class MatrixProductsTest {
    @ParameterizedTest(name = "{0} {1}x{2} transA={3} transB={4} beta={5} into ''{6}''")
    @CsvSource({
            "DOUBLE, 7, 5, false, false, 0, f", "DOUBLE, 7, 5, true, false, 0, f",
            "DOUBLE, 7, 5, false, true, 1, f", "DOUBLE, 7, 5, true, true, 1, f",
            "DOUBLE, 7, 5, true, false, 1, c", "FLOAT, 64, 48, true, false, 0, f",
            "FLOAT, 64, 48, true, false, 1, f", "FLOAT, 64, 48, false, true, 0, f",
    })
    void aColumnMajorDestinationGetsThePlainProduct(DataType type, int m, int n, boolean transA, boolean transB,
                                                    double beta, char order) {
        int k = 11;
        Nd4j.getRandom().setSeed(m * 31L + n);
        INDArray a = transA ? Nd4j.rand(type, k, m) : Nd4j.rand(type, m, k);
        INDArray b = transB ? Nd4j.rand(type, n, k) : Nd4j.rand(type, k, n);
        INDArray start = Nd4j.rand(type, m, n);
        INDArray expected = (transA ? a.transpose() : a).mmul(transB ? b.transpose() : b).muli(0.5)
                .addi(start.mul(beta));

        // a column-major view inside a larger flat array, as DL4J's gradient views are
        INDArray flat = Nd4j.zeros(type, 1, 3 + (long) m * n);
        INDArray c = flat.get(point(0), interval(3, 3 + (long) m * n)).reshape(order, m, n);
        c.assign(start);
        MatrixProducts.gemm(a, b, c, transA, transB, 0.5, beta);

        assertThat(c.ordering()).isEqualTo(order);
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        assertThat(c.sub(expected).amaxNumber().doubleValue()).isLessThan(tolerance);
        assertThat(flat.getDouble(0, 0) + flat.getDouble(0, 1) + flat.getDouble(0, 2)).isZero();
    }
}
