package org.lmshards.trainer.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The LSTM state a stateful network carries from one batch into the next: for each recurrent
 * layer (by index) its arrays ({@code h} and {@code c}, each {@code [rows, units]}), rows in
 * batch-row order. Checkpoints save it, {@link RowReplicas} splits it into row blocks and joins
 * it back, so that a run resumes with any replica count. A layer without state (an epoch start)
 * has an empty map.
 */
public final class CarriedState {
    private final Map<Integer, Map<String, INDArray>> layers;

    public CarriedState(Map<Integer, Map<String, INDArray>> layers) {
        Map<Integer, Map<String, INDArray>> copy = new TreeMap<>();
        layers.forEach((i, m) -> copy.put(i, Collections.unmodifiableMap(new TreeMap<>(m))));
        this.layers = Collections.unmodifiableMap(copy);
    }

    /** The state a training forward pass of {@code net} would start from (each layer's TBPTT state). */
    public static CarriedState of(MultiLayerNetwork net) {
        Map<Integer, Map<String, INDArray>> layers = new TreeMap<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof RecurrentLayer rl) {
                layers.put(i, rl.rnnGetTBPTTState());
            }
        }
        return new CarriedState(layers);
    }

    /** Recurrent layer index to that layer's state arrays, by name. */
    public Map<Integer, Map<String, INDArray>> layers() {
        return layers;
    }

    /** Rows of the state (0 when no layer holds any). */
    public long rows() {
        for (Map<String, INDArray> m : layers.values()) {
            for (INDArray a : m.values()) {
                return a.size(0);
            }
        }
        return 0;
    }

    /**
     * Makes this the state both of the next training forward pass (TBPTT state) and of inference
     * ({@code rnnTimeStep}) in {@code net}; a layer with an empty map starts from zeros.
     */
    public void applyTo(MultiLayerNetwork net) {
        for (Map.Entry<Integer, Map<String, INDArray>> e : layers.entrySet()) {
            Layer layer = net.getLayer(e.getKey());
            if (!(layer instanceof RecurrentLayer rl)) {
                throw new IllegalArgumentException("recurrent state for layer " + e.getKey() + ", which is a "
                        + layer.getClass().getSimpleName());
            }
            rl.rnnClearPreviousState();
            if (!e.getValue().isEmpty()) {
                rl.rnnSetPreviousState(new TreeMap<>(e.getValue()));
                rl.rnnSetTBPTTState(new TreeMap<>(e.getValue()));
            }
        }
    }

    /** Rows {@code [start, end)} of every array (copies, outside any workspace). */
    @SuppressWarnings("try") // the resource is held for its scope, not used
    public CarriedState rows(long start, long end) {
        Map<Integer, Map<String, INDArray>> out = new TreeMap<>();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            layers.forEach((i, m) -> {
                Map<String, INDArray> part = new TreeMap<>();
                m.forEach((k, a) -> part.put(k, a.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup('c')));
                out.put(i, part);
            });
        }
        return new CarriedState(out);
    }

    /** The states of consecutive row blocks joined into one, in the order given. */
    @SuppressWarnings("try") // the resource is held for its scope, not used
    public static CarriedState concat(List<CarriedState> blocks) {
        Map<Integer, Map<String, INDArray>> out = new TreeMap<>();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (Map.Entry<Integer, Map<String, INDArray>> e : blocks.get(0).layers.entrySet()) {
                Map<String, INDArray> joined = new TreeMap<>();
                for (String key : e.getValue().keySet()) {
                    List<INDArray> parts = new ArrayList<>();
                    for (CarriedState b : blocks) {
                        INDArray part = b.layers.getOrDefault(e.getKey(), Map.of()).get(key);
                        if (part == null) {
                            throw new IllegalStateException("row blocks disagree on the state of layer " + e.getKey());
                        }
                        parts.add(part);
                    }
                    joined.put(key, Nd4j.concat(0, parts.toArray(INDArray[]::new)));
                }
                out.put(e.getKey(), joined);
            }
        }
        return new CarriedState(out);
    }
}
