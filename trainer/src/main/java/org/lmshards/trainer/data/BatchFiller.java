package org.lmshards.trainer.data;

import java.nio.FloatBuffer;

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
        float[] row = buf.row;
        float[] x = buf.features;
        float[] y = buf.labels;
        int bs = geometry.batchSize();
        for (int j = 0; j < bs; j++) {
            // one read of the window, already as float, then two plain copies (inputs, labels one further on)
            buf.docHint[j] = stream.read(geometry.rowStart(batch, j), row, 0, len + 1, buf.docHint[j], buf.scratch);
            int base = j * len;
            System.arraycopy(row, 0, x, base, len);
            System.arraycopy(row, 1, y, base, len);
        }
        buf.batch = batch;
        buf.length = len;
    }

    /**
     * As {@link #fill}, but writes the inputs and labels straight into {@code x} and {@code y} (the
     * host memory of the batch's arrays, same layout) instead of {@code buf}'s heap arrays, saving
     * one copy of the batch. Only {@code buf}'s row window, scratch and document hints are used.
     */
    void fillDirect(long batch, BatchBuffers buf, FloatBuffer x, FloatBuffer y) {
        int len = geometry.length(batch);
        float[] row = buf.row;
        int bs = geometry.batchSize();
        for (int j = 0; j < bs; j++) {
            buf.docHint[j] = stream.read(geometry.rowStart(batch, j), row, 0, len + 1, buf.docHint[j], buf.scratch);
            int base = j * len;
            x.put(base, row, 0, len);
            y.put(base, row, 1, len);
        }
        buf.batch = batch;
        buf.length = len;
    }
}
