package org.lmshards.trainer.data;

import java.nio.file.Path;
import java.util.Arrays;
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

/** The float reads of {@link TokenSource} and {@link EpochStream} against their int reads. */
class LmStreamFloatReadTest {
    @TempDir
    Path tmp;

    @Test
    void shuffledStreamFloatReadsEqualTheIntReadsWhateverTheHint() {
        Random rnd = new Random(40);
        ArraySource src = ArraySource.random(rnd, 60, 30, 0, true); // default float read, through the scratch
        EpochStream stream = new EpochStream(src, true, 78);
        stream.prepare(2);
        int[] expected = NaiveReference.stream(src, true, 78, 2);
        int n = expected.length;
        int[] scratch = new int[70];
        for (int trial = 0; trial < 2000; trial++) {
            int len = rnd.nextInt(70);
            int pos = rnd.nextInt(n - len + 1);
            float[] got = new float[len + 2];
            int hint = rnd.nextInt(4) == 0 ? -1 : rnd.nextInt(80) - 5; // invalid, wrong or right
            int next = stream.read(pos, got, 1, len, hint, scratch);
            int[] ints = new int[len];
            assertThat(stream.read(pos, ints, 0, len, hint)).isEqualTo(next);
            for (int i = 0; i < len; i++) {
                assertThat(got[1 + i]).as("token %d of read(%d, %d)", i, pos, len).isEqualTo((float) expected[pos + i]);
            }
            assertThat(got[0]).isZero();
            assertThat(got[len + 1]).isZero();
        }
        assertThatThrownBy(() -> stream.read(n - 3, new float[5], 0, 4, -1, scratch))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void storeSourceFloatReadsEqualItsIntReadsAcrossShards() throws Exception {
        Random rnd = new Random(41);
        Vocabulary vocab = TestDatasets.vocab(300);
        List<int[]> train = TestDatasets.randomDocs(rnd, 80, 150, vocab.size());
        Path dir = tmp.resolve("ds");
        TestDatasets.write(dir, vocab, 200, Map.of("train", train));
        int[] ref = TestDatasets.inMemory(train).tokens;
        try (Dataset ds = Dataset.open(dir); TokenStore store = ds.split("train")) {
            assertThat(store.numShards()).isGreaterThan(5);
            TokenSource src = TokenSource.of(store);
            int[] poisoned = new int[400];
            for (int trial = 0; trial < 500; trial++) {
                int len = rnd.nextInt(400);
                int pos = rnd.nextInt(ref.length - len + 1);
                float[] got = new float[len + 1];
                Arrays.fill(poisoned, -1);
                src.read(pos, got, 1, len, poisoned);
                for (int i = 0; i < len; i++) {
                    assertThat(got[1 + i]).isEqualTo((float) ref[pos + i]);
                }
                assertThat(got[0]).isZero();
            }
        }
    }
}
