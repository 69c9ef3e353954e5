package org.lmshards.trainer.data;

import java.util.Arrays;

/**
 * Heap buffers for one batch, allocated once and refilled: the inputs and the labels of every
 * row as float ids in {@code [row][time]} order ({@code row * length + t}), plus one row's window
 * and a scratch for sources without a float read.
 */
final class BatchBuffers {
    final float[] features;
    final float[] labels;
    /** One row's window: {@code length + 1} ids (the labels are the inputs shifted by one). */
    final float[] row;
    /** Scratch for sources without a float read of their own ({@link TokenSource#read(long, float[], int, int, int[])}). */
    final int[] scratch;
    /** Per row, the stream document its last read ended in: where the row's next window starts. */
    final int[] docHint;
    /** Which batch the buffers hold, and its length. */
    long batch = -1;
    int length;

    BatchBuffers(int batchSize, int seqLen) {
        features = new float[batchSize * seqLen];
        labels = new float[batchSize * seqLen];
        row = new float[seqLen + 1];
        scratch = new int[seqLen + 1];
        docHint = new int[batchSize];
        Arrays.fill(docHint, -1);
    }
}
