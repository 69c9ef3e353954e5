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
        Nd4j.getRandom().setSeed(7);
        INDArray logits = Nd4j.rand(DataType.FLOAT, 256, 9008).muli(12).subi(6);
        INDArray expected = Nd4j.createUninitialized(DataType.FLOAT, logits.shape(), 'c');
        Nd4j.exec(new SoftMax(logits, expected, 1));
        INDArray rows = logits.dup('c');
        RowSoftmax.inPlace(rows);
        INDArray relative = rows.sub(expected).divi(expected);
        assertThat(relative.amaxNumber().doubleValue()).isLessThan(1e-4);
        assertThat(rows.sum(1).sub(1.0).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void float64RowsAreTheRank2OpsExactly() {
        Nd4j.getRandom().setSeed(8);
        INDArray logits = Nd4j.rand(DataType.DOUBLE, 64, 300).muli(20).subi(10);
        INDArray expected = Nd4j.createUninitialized(DataType.DOUBLE, logits.shape(), 'c');
        Nd4j.exec(new SoftMax(logits, expected, 1));
        INDArray rows = logits.dup('c');
        RowSoftmax.inPlace(rows);
        assertThat(rows).isEqualTo(expected);
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
