package org.lmshards.trainer.train.loop;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetGeneration;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.data.LmStreamIterator;

/**
 * Opens a dataset for training or evaluation as one generation: the full check of
 * {@link DatasetVerifier#verify} (structure, checksums, id range), the vocabulary and every
 * split mapped at once, all inside {@link DatasetGeneration#read}, so that a rebuild swapping the
 * dataset meanwhile can never pair one dataset's vocabulary with another's ids. Also checks that
 * the dataset's vocabulary is the model's.
 */
public final class TrainingDataset implements Closeable {
    private final Dataset dataset;
    private final Map<String, TokenStore> splits;

    private TrainingDataset(Dataset dataset, Map<String, TokenStore> splits) {
        this.dataset = dataset;
        this.splits = splits;
    }

    public static TrainingDataset open(Path datasetDir) throws IOException {
        return DatasetGeneration.read(datasetDir, () -> openOnce(datasetDir));
    }

    private static TrainingDataset openOnce(Path datasetDir) throws IOException {
        // The full check (every checksum and every id < vocab size; CRC32C reads at disk speed):
        // opening alone checks only the structure, so a flipped byte would be trained on silently.
        DatasetVerifier.verify(datasetDir);
        Dataset dataset = Dataset.open(datasetDir);
        try {
            // Mapped now, not when batches are asked for: later a swap could put another dataset at this path.
            Map<String, TokenStore> splits = new LinkedHashMap<>();
            for (String split : dataset.splits()) {
                splits.put(split, dataset.split(split));
            }
            return new TrainingDataset(dataset, splits);
        } catch (IOException | RuntimeException e) {
            dataset.close();
            throw e;
        }
    }

    public Vocabulary vocab() {
        return dataset.vocab();
    }

    /** The dataset's splits, in directory order. */
    public java.util.List<String> splits() {
        return dataset.splits();
    }

    public boolean hasSplit(String name) {
        return dataset.hasSplit(name);
    }

    /** Batches of {@code split}; shuffled iff the split is {@code train}. */
    public BatchSource batches(String split, int batchSize, int seqLen, long seed, int workers) throws IOException {
        return batches(split, batchSize, seqLen, seed, workers, ShardLayout.TRAIN.equals(split));
    }

    /** Batches of {@code split}, its documents shuffled every epoch iff {@code shuffle}. */
    public BatchSource batches(String split, int batchSize, int seqLen, long seed, int workers, boolean shuffle)
            throws IOException {
        if (!dataset.hasSplit(split)) {
            throw new DataMismatchException(dataset.dir() + ": no split '" + split + "' (splits: " + dataset.splits() + ")");
        }
        TokenStore store = splits.get(split);
        LmStreamIterator it = LmStreamIterator.builder(store).batchSize(batchSize).seqLen(seqLen).seed(seed)
                .workers(workers).shuffle(shuffle).build();
        return new IteratorBatchSource(it, dataset.dir().resolve(split).toString(), store.vocabSize());
    }

    /** Refuses a dataset whose vocabulary is not {@code modelVocab} (naming the first difference). */
    public void requireVocabulary(Vocabulary modelVocab, String modelName) {
        Vocabulary data = dataset.vocab();
        if (data.size() != modelVocab.size()) {
            throw new DataMismatchException(dataset.dir() + ": vocabulary size " + data.size() + " differs from the "
                    + modelVocab.size() + " of " + modelName + "; the model can only read data numericalized with its own vocab.json");
        }
        List<String> a = data.itos(), b = modelVocab.itos();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(b.get(i))) {
                throw new DataMismatchException(dataset.dir() + ": vocabulary differs from " + modelName + " at id " + i
                        + " ('" + a.get(i) + "' vs '" + b.get(i) + "')");
            }
        }
    }

    @Override
    public void close() {
        dataset.close();
    }
}
