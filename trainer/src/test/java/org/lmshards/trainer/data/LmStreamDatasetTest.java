package org.lmshards.trainer.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LmStreamIterator} over real memory-mapped datasets written by core's DatasetWriter. */
class LmStreamDatasetTest {

    @TempDir
    Path tmp;

    @Test
    void multiShardSplitsMatchTheNaiveReference() throws Exception {
        Random rnd = new Random(31);
        Vocabulary vocab = TestDatasets.vocab(300);
        for (int trial = 0; trial < 8; trial++) {
            List<int[]> train = TestDatasets.randomDocs(rnd, 20 + rnd.nextInt(60), 20 + rnd.nextInt(200), vocab.size());
            List<int[]> valid = TestDatasets.randomDocs(rnd, 5 + rnd.nextInt(20), 1 + rnd.nextInt(100), vocab.size());
            Map<String, List<int[]>> splits = new LinkedHashMap<>();
            splits.put("train", train);
            splits.put("valid", valid);
            Path dir = tmp.resolve("ds" + trial);
            TestDatasets.write(dir, vocab, 20 + rnd.nextInt(150), splits);
            int bs = 1 + rnd.nextInt(10);
            int sl = 1 + rnd.nextInt(40);
            long seed = rnd.nextLong();
            int workers = rnd.nextInt(3);
            try (Dataset ds = Dataset.open(dir)) {
                for (String split : List.of("train", "valid")) {
                    ArraySource ref = TestDatasets.inMemory(splits.get(split));
                    boolean shuffle = split.equals("train");
                    List<int[][][]> e0 = NaiveReference.batches(NaiveReference.stream(ref, shuffle, seed, 0), bs, sl, false);
                    List<int[][][]> e1 = NaiveReference.batches(NaiveReference.stream(ref, shuffle, seed, 1), bs, sl, false);
                    try (TokenStore store = ds.split(split);
                            LmStreamIterator it = LmStreamIterator.builder(store).batchSize(bs).seqLen(sl).seed(seed)
                                    .workers(workers).build()) {
                        if (shuffle) {
                            assertThat(store.numShards()).as("shards of train").isGreaterThan(1);
                        }
                        assertThat(it.shuffled()).isEqualTo(shuffle);
                        assertThat(it.totalOutcomes()).isEqualTo(vocab.size());
                        List<List<int[][][]>> got = Batches.epochs(it, 2);
                        Batches.assertSame(got.get(0), e0);
                        Batches.assertSame(got.get(1), e1);
                    }
                }
            }
        }
    }

    @Test
    void splitTooSmallNamesTheSplit() throws Exception {
        Vocabulary vocab = TestDatasets.vocab(20);
        Map<String, List<int[]>> splits = new LinkedHashMap<>();
        splits.put("train", List.of(new int[] {9, 10, 11, 12, 13, 14, 15, 16}));
        splits.put("valid", List.of(new int[] {9, 10, 11}));
        Path dir = tmp.resolve("small");
        TestDatasets.write(dir, vocab, 1000, splits);
        try (Dataset ds = Dataset.open(dir); TokenStore valid = ds.split("valid")) {
            assertThatThrownBy(() -> LmStreamIterator.builder(valid).batchSize(4).build())
                    .isInstanceOf(SplitTooSmallException.class)
                    .hasMessageContaining("valid").hasMessageContaining("3 tokens are too few for batch size 4");
        }
    }
}
