package org.lmshards.trainer.data;

/**
 * Fills {@link BatchBuffers} with batch {@code i} of the current epoch: for every row {@code j},
 * stream tokens {@code [j*bl + i*sl, j*bl + i*sl + len]} read in one call, the first {@code len}
 * as inputs and the last {@code len} as labels. Stateless apart from the stream, so several
 * workers may fill different buffers at once.
 */
final class BatchFiller {
    private final EpochStream stream;
    private final BatchGeometry geometry;

    BatchFiller(EpochStream stream, BatchGeometry geometry) {
        this.stream = stream;
        this.geometry = geometry;
    }

    void fill(long batch, BatchBuffers buf) {
        int len = geometry.length(batch);
        int[] row = buf.scratch;
        float[] x = buf.features;
        float[] y = buf.labels;
        int bs = geometry.batchSize();
        for (int j = 0; j < bs; j++) {
            buf.docHint[j] = stream.read(geometry.rowStart(batch, j), row, 0, len + 1, buf.docHint[j]);
            int base = j * len;
            for (int t = 0; t < len; t++) {
                x[base + t] = row[t];
                y[base + t] = row[t + 1];
            }
        }
        buf.batch = batch;
        buf.length = len;
    }
}
