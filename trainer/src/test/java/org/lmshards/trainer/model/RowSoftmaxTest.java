package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/** The rank-3 softmax of the output layer's logits is the rank-2 op's, in place. */
class RowSoftmaxTest {
    @Test
    void float32RowsMatchTheRank2OpToRoundingAndSumToOne() {
        INDArray[] both = bothWays(DataType.FLOAT, 256, 9008, 12, 7);
        INDArray expected = both[0], rows = both[1];
        INDArray relative = rows.sub(expected).divi(expected);
        assertThat(relative.amaxNumber().doubleValue()).isLessThan(1e-4);
        assertThat(rows.sum(1).sub(1.0).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void float64RowsAreTheRank2OpsExactly() {
        INDArray[] both = bothWays(DataType.DOUBLE, 64, 300, 20, 8);
        assertThat(both[1]).isEqualTo(both[0]);
    }

    /** Uniform logits in [-spread/2, spread/2): the rank-2 op's softmax of their rows, then {@link RowSoftmax}'s. */
    private static INDArray[] bothWays(DataType type, long rows, long classes, double spread, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray logits = Nd4j.rand(type, rows, classes).muli(spread).subi(spread / 2);
        INDArray expected = Nd4j.createUninitialized(type, logits.shape(), 'c');
        Nd4j.exec(new SoftMax(logits, expected, 1));
        INDArray actual = logits.dup('c');
        RowSoftmax.inPlace(actual);
        return new INDArray[] {expected, actual};
    }

    @Test
    void aViewThatAReshapeWouldCopyIsStillChangedInPlace() {
        Nd4j.getRandom().setSeed(9);
        INDArray columns = Nd4j.rand(DataType.DOUBLE, 50, 40);
        INDArray rows = columns.transpose(); // [40, 50], not row-major
        INDArray expected = Nd4j.createUninitialized(DataType.DOUBLE, rows.shape(), 'c');
        Nd4j.exec(new SoftMax(rows.dup('c'), expected, 1));
        RowSoftmax.inPlace(rows);
        assertThat(columns.transpose().sub(expected).amaxNumber().doubleValue()).isLessThan(1e-12);
    }
}
