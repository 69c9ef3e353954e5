package org.lmshards.trainer.train.rundir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.lmshards.trainer.model.CarriedState;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A resumable training checkpoint, one zip file written atomically
 * ({@link AtomicFiles}): network configuration, parameters, Adam state, the LSTM states carried
 * into the next batch, and the {@link TrainState}. Together with the per-step reseeding of the
 * dropout RNG and the iterator's {@code seek}, this makes a resumed run take exactly the steps
 * an uninterrupted run would have taken.
 */
public final class Checkpoint {
    static final String STATE = "trainer_state.json", CONFIG = "configuration.json",
            PARAMS = "coefficients.bin", UPDATER = "updater_state.bin", RNN_PREFIX = "rnn_state/";

    private final StatefulLmNetwork network;
    private final TrainState state;

    public Checkpoint(StatefulLmNetwork network, TrainState state) {
        this.network = network;
        this.state = state;
    }

    public StatefulLmNetwork network() {
        return network;
    }

    public TrainState state() {
        return state;
    }

    /** Writes the checkpoint to {@code file}, replacing an older one only once complete. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                // float parameters barely compress: deflate took 12 s to save 7.5% of an AWD-size
                // checkpoint, and a checkpoint is written every epoch and on Ctrl-C
                zip.setLevel(Deflater.NO_COMPRESSION);
                put(zip, STATE, SnakeCaseJson.PRETTY.writeValueAsBytes(state));
                put(zip, CONFIG, network.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8));
                put(zip, PARAMS, serialize(network.params()));
                INDArray updater = network.getUpdater().getStateViewArray();
                if (updater != null) {
                    put(zip, UPDATER, serialize(updater));
                }
                // all rows in row order, whatever the replica count: a run resumes with any other
                for (Map.Entry<Integer, Map<String, INDArray>> layer : network.carriedState().layers().entrySet()) {
                    for (Map.Entry<String, INDArray> e : layer.getValue().entrySet()) {
                        put(zip, RNN_PREFIX + layer.getKey() + "/" + e.getKey(), serialize(e.getValue()));
                    }
                }
            }
        });
    }

    /** Only the training state of a checkpoint (where it stands), without building the network. */
    public static TrainState readState(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals(STATE)) {
                    return SnakeCaseJson.MAPPER.readValue(zip.readAllBytes(), TrainState.class);
                }
            }
        } catch (IOException e) {
            throw new IOException(file + ": damaged checkpoint (" + e.getMessage() + ")", e);
        }
        throw new DamagedRunFileException(file, "damaged checkpoint, entry " + STATE + " missing", null);
    }

    /** Reads a checkpoint written by {@link #write}; a damaged file is reported with its name. */
    public static Checkpoint read(Path file) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        } catch (IOException e) {
            throw new IOException(file + ": damaged checkpoint (" + e.getMessage() + ")", e);
        }
        for (String required : new String[] {STATE, CONFIG, PARAMS}) {
            if (!entries.containsKey(required)) {
                throw new DamagedRunFileException(file, "damaged checkpoint, entry " + required + " missing", null);
            }
        }
        try {
            TrainState state = SnakeCaseJson.MAPPER.readValue(entries.get(STATE), TrainState.class);
            MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(new String(entries.get(CONFIG), StandardCharsets.UTF_8));
            StatefulLmNetwork net = new StatefulLmNetwork(conf);
            INDArray params = deserialize(entries.get(PARAMS));
            net.init(params.reshape(1, params.length()), false);
            if (entries.containsKey(UPDATER)) {
                net.getUpdater().setStateViewArray(net, deserialize(entries.get(UPDATER)), false);
            }
            net.setIterationCount(state.iterationCount());
            net.setEpochCount(state.epochCount());
            Map<Integer, Map<String, INDArray>> rnn = new HashMap<>();
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                if (e.getKey().startsWith(RNN_PREFIX)) {
                    String[] parts = e.getKey().substring(RNN_PREFIX.length()).split("/", 2);
                    rnn.computeIfAbsent(Integer.parseInt(parts[0]), k -> new HashMap<>()).put(parts[1], deserialize(e.getValue()));
                }
            }
            net.rnnClearPreviousState();
            for (Integer layer : rnn.keySet()) {
                if (!(net.getLayer(layer) instanceof RecurrentLayer)) {
                    throw new DamagedRunFileException(file, "damaged checkpoint, recurrent state for non-recurrent layer "
                            + layer, null);
                }
            }
            net.setCarriedState(new CarriedState(rnn));
            return new Checkpoint(net, state);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DamagedRunFileException(file, "damaged checkpoint (" + e + ")", e);
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] serialize(INDArray array) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(array, out);
        }
        return bytes.toByteArray();
    }

    private static INDArray deserialize(byte[] data) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
            return Nd4j.read(in);
        }
    }
}
