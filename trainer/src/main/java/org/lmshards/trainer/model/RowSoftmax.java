package org.lmshards.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The softmax of each row of a {@code [rows, classes]} array, in place, run as a rank-3 op.
 *
 * <p>libnd4j 1.0.0-M2.1 hands {@code softmax} to oneDNN only for arrays of rank 3 to 6; a rank-2
 * array, the layout of the output layer's logits, runs its generic kernel, which computes
 * {@code exp} one element at a time. Viewed as {@code [1, rows, classes]}, the same memory goes
 * to oneDNN's vectorised kernel in the oneDNN build: 5x faster on the small model's
 * {@code [1024, 9008]} logits (docs/BENCHMARKS.md), the same result to float32 rounding (relative
 * 5e-6). The generic build and float64 arrays run the generic kernel either way.
 */
final class RowSoftmax {
    private RowSoftmax() {
    }

    /** Replaces every row of {@code rows} by its softmax. */
    static void inPlace(INDArray rows) {
        if (rows.rank() != 2 || !Shape.hasDefaultStridesForShape(rows)) {
            Nd4j.exec(new SoftMax(rows, rows, rows.rank() - 1)); // a reshape would copy: keep the rank
            return;
        }
        INDArray cube = rows.reshape('c', 1, rows.size(0), rows.size(1));
        Nd4j.exec(new SoftMax(cube, cube, 2));
    }
}
