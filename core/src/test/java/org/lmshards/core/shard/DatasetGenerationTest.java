package org.lmshards.core.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.io.StableRead;
import org.lmshards.core.testing.DatasetSwap;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 18 item 4: a dataset swapped by a rebuild while {@code verify} reads it. The swap happens
 * at a controlled point, after every split was opened and before the checksums are read: the
 * old code compared the old {@code meta.json} with the new shards and reported corruption.
 */
class DatasetGenerationTest {
    @TempDir
    Path tmp;
    Path a, b, dir;
    VerifyReport reportOfA, reportOfB;

    /** Two good datasets with vocabularies of one size and different shards; {@code dir} holds A. */
    @BeforeEach
    void twoDatasets() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(50);
        a = tmp.resolve("a");
        b = tmp.resolve("b");
        Fixtures.write(a, vocab, 400, Fixtures.randomDocs(1, 40, 30, vocab.size()), Fixtures.randomDocs(2, 5, 30, vocab.size()));
        Fixtures.write(b, vocab, 400, Fixtures.randomDocs(3, 60, 30, vocab.size()), Fixtures.randomDocs(4, 7, 30, vocab.size()));
        reportOfA = DatasetVerifier.verify(a);
        reportOfB = DatasetVerifier.verify(b);
        assertThat(reportOfA.tokensPerSplit()).isNotEqualTo(reportOfB.tokensPerSplit());
        dir = tmp.resolve("data");
        DatasetSwap.swapIn(a, dir);
    }

    @Test
    void aSwapDuringVerifyIsNotCorruptionAndTheNewDatasetIsVerified() throws IOException {
        List<String> calls = new ArrayList<>();
        VerifyReport r = DatasetVerifier.verify(dir, TokenStore.DEFAULT_MAX_MAP_BYTES, split -> {
            calls.add(split);
            if (calls.size() == 1) {
                DatasetSwap.swapIn(b, dir);
            }
        });
        assertThat(r).isEqualTo(reportOfB);
        assertThat(calls).as("the first pass was abandoned and the check done again").startsWith("train", "train");
    }

    @Test
    void theGapBetweenTheRenamesOfASwapIsNotAMissingDataset() throws Exception {
        Path staged = DatasetSwap.stage(b, dir);
        Thread[] mover = new Thread[1];
        VerifyReport r = DatasetVerifier.verify(dir, TokenStore.DEFAULT_MAX_MAP_BYTES, split -> {
            if (mover[0] == null) {
                DatasetSwap.moveAside(dir);
                // The second rename comes from another thread once the reader has met the gap and pauses
                // before reading again (its thread sleeps): a fact, not 30 ms that a busy machine can stretch
                // past the pause (issue 25).
                Thread reader = Thread.currentThread();
                mover[0] = new Thread(() -> {
                    try {
                        while (reader.getState() != Thread.State.TIMED_WAITING) {
                            Thread.onSpinWait();
                        }
                        Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                mover[0].start();
            }
        });
        mover[0].join();
        assertThat(r).isEqualTo(reportOfB);
    }

    @Test
    void aDatasetThatChangesDuringEveryAttemptIsRefusedNamingIt() {
        Path[] next = {b, a};
        int[] swaps = {0};
        assertThatThrownBy(() -> DatasetVerifier.verify(dir, TokenStore.DEFAULT_MAX_MAP_BYTES, split -> {
            if (split.equals("train")) {
                DatasetSwap.swapIn(next[swaps[0]++ % 2], dir);
            }
        })).isInstanceOf(StableRead.ChangedWhileReadingException.class)
                .hasMessage("the dataset " + dir + " changed while being read, " + StableRead.ATTEMPTS
                        + " times in a row; is a rebuild (--force) replacing it? Try again once it has finished");
        assertThat(swaps[0]).isEqualTo(StableRead.ATTEMPTS);
    }

    @Test
    void realCorruptionIsStillReportedWhenNothingChanged() throws IOException {
        Path shard = dir.resolve("train").resolve("tokens-00000.npy");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 1] ^= 1;
        Files.write(shard, bytes);
        assertThatThrownBy(() -> DatasetVerifier.verify(dir)).hasMessageContaining(shard + ": checksum mismatch");
    }
}
