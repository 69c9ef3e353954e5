package org.lmshards.trainer.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.shard.SourceFile;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.testing.DatasetSwap;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.train.loop.BatchSource;
import org.lmshards.trainer.train.loop.TrainingDataset;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18 item 4, trainer side: {@code train} opened the dataset, read its vocabulary, and
 * mapped the shards only later, by path, when it asked for batches; a rebuild swapping another
 * dataset in meanwhile (two vocabularies of the same size) gave a run trained on the new ids and
 * saved with the old vocabulary. {@link TrainingDataset#open} now maps every split at once, inside the
 * generation check, so what it opened stays one dataset whatever is swapped in afterwards.
 * (The generation check itself, with a swap in the middle of the read: core's
 * {@code DatasetGenerationTest}.)
 */
class DatasetSwapTest {
    @TempDir
    static Path tmp;
    static Path a, b;
    static Vocabulary vocabA, vocabB;

    @BeforeAll
    static void twoDatasetsWithVocabulariesOfOneSize() throws IOException {
        a = tmp.resolve("a");
        b = tmp.resolve("b");
        vocabA = write(a, "alpha", 1);
        vocabB = write(b, "beta", 2);
        assertThat(vocabA.size()).isEqualTo(vocabB.size());
        assertThat(vocabA.itos()).isNotEqualTo(vocabB.itos());
    }

    private static Vocabulary write(Path dir, String prefix, long seed) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            counts.put(prefix + i, 100L - i);
        }
        Vocabulary vocab = Vocabulary.build(counts, 1, 1000);
        SplittableRandom rnd = new SplittableRandom(seed);
        try (DatasetWriter w = DatasetWriter.create(dir, vocab, 500)) {
            for (String split : List.of("train", "valid")) {
                SplitWriter s = w.split(split);
                for (int d = 0; d < 20; d++) {
                    int[] doc = new int[30];
                    for (int i = 0; i < doc.length; i++) {
                        doc[i] = 9 + rnd.nextInt(vocab.size() - 9);
                    }
                    s.addDocument(doc);
                }
            }
            w.commit(Map.of("name", "test"), SourceFile.fingerprint(List.of()), Map.of());
        }
        return vocab;
    }

    private static INDArray firstBatch(TrainingDataset run, String split) throws IOException {
        try (BatchSource s = run.batches(split, 4, 10, 3, 0)) {
            return s.next().getFeatures().dup();
        }
    }

    @Test
    void aSwapAfterOpeningChangesNeitherTheVocabularyNorTheIdsOfTheOpenedRun() throws IOException {
        INDArray trainA, validA, trainB;
        try (TrainingDataset ra = TrainingDataset.open(a); TrainingDataset rb = TrainingDataset.open(b)) {
            trainA = firstBatch(ra, "train");
            validA = firstBatch(ra, "valid");
            trainB = firstBatch(rb, "train");
        }
        assertThat(trainA).isNotEqualTo(trainB);

        Path dir = tmp.resolve("data");
        DatasetSwap.swapIn(a, dir);
        try (TrainingDataset run = TrainingDataset.open(dir)) {
            DatasetSwap.swapIn(b, dir);
            // what train does next: save the vocabulary, then ask for batches
            assertThat(run.vocab()).isEqualTo(vocabA);
            assertThat(firstBatch(run, "train")).isEqualTo(trainA);
            assertThat(firstBatch(run, "valid")).isEqualTo(validA);
        }
        try (TrainingDataset next = TrainingDataset.open(dir)) {
            assertThat(next.vocab()).isEqualTo(vocabB);
            assertThat(firstBatch(next, "train")).isEqualTo(trainB);
        }
    }
}
