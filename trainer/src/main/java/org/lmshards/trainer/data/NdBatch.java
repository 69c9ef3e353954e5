package org.lmshards.trainer.data;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The features and labels arrays, {@code [bs, 1, len]} float, of one batch shape, created once
 * outside any workspace and overwritten for every batch of that shape.
 */
final class NdBatch {
    final INDArray features;
    final INDArray labels;
    final DataSet dataSet;
    private final int size;
    /** Direct views of the arrays' host memory (CPU backend), or null to go through the DataBuffer API. */
    private final FloatBuffer featureMemory;
    private final FloatBuffer labelMemory;

    @SuppressWarnings("try") // the workspace scope is entered, not used
    NdBatch(int batchSize, int length) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            features = Nd4j.create(DataType.FLOAT, batchSize, 1, length);
            labels = Nd4j.create(DataType.FLOAT, batchSize, 1, length);
        }
        size = batchSize * length;
        dataSet = new DataSet(features, labels);
        featureMemory = directView(features, size);
        labelMemory = directView(labels, size);
    }

    private static FloatBuffer directView(INDArray a, int size) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return null;
        }
        FloatBuffer b = a.data().asNioFloat();
        return b != null && b.isDirect() && b.capacity() >= size ? b : null;
    }

    /** Whether the arrays' host memory can be written directly ({@link #featureMemory()}): the CPU backend. */
    boolean direct() {
        return featureMemory != null;
    }

    /** The features' host memory, {@code [row][time]}; null unless {@link #direct()}. */
    FloatBuffer featureMemory() {
        return featureMemory;
    }

    /** The labels' host memory; null unless {@link #direct()}. */
    FloatBuffer labelMemory() {
        return labelMemory;
    }

    /** Copies the batch from heap buffers into the arrays and resets the data set to them. */
    DataSet load(BatchBuffers buf) {
        if (featureMemory != null) {
            featureMemory.put(0, buf.features, 0, size);
            labelMemory.put(0, buf.labels, 0, size);
        } else {
            // Other backends: the DataBuffer API keeps host and device copies consistent.
            features.data().setData(buf.features.length == size ? buf.features : Arrays.copyOf(buf.features, size));
            labels.data().setData(buf.labels.length == size ? buf.labels : Arrays.copyOf(buf.labels, size));
        }
        return reset();
    }

    /** The data set, reset to the arrays, after they were written through their host memory. */
    DataSet reset() {
        // A pre-processor may have replaced or masked the arrays of the previous batch.
        dataSet.setFeatures(features);
        dataSet.setLabels(labels);
        dataSet.setFeaturesMaskArray(null);
        dataSet.setLabelsMaskArray(null);
        return dataSet;
    }
}
