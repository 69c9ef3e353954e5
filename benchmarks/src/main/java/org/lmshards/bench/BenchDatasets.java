package org.lmshards.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.vocab.Vocabulary;

/** Synthetic benchmark datasets: uniform random ids, documents of random length, written with DatasetWriter. */
public final class BenchDatasets {
    /** Vocabulary of the benchmark datasets: 32 000 entries, so shards are uint16 like WikiText-103's. */
    static final int WORDS = 31_991;

    private BenchDatasets() {
    }

    /**
     * Returns {@code dir}, writing a dataset with a {@code train} split of {@code tokens} tokens there
     * first unless one with exactly that many tokens exists.
     *
     * @param meanDocLen documents are uniformly {@code meanDocLen/2 .. 3*meanDocLen/2} tokens long
     * @param shardTokens tokens per shard (a shard closes at the first document boundary past this)
     */
    public static Path ensure(Path dir, long tokens, int meanDocLen, long shardTokens, long seed) throws IOException {
        if (Files.exists(dir.resolve(ShardLayout.SUCCESS))) {
            try (Dataset ds = Dataset.open(dir); TokenStore s = ds.split(ShardLayout.TRAIN)) {
                if (s.size() == tokens) {
                    return dir;
                }
            }
        }
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < WORDS; i++) {
            counts.put("w" + i, 1_000_000_000L - i);
        }
        Vocabulary vocab = Vocabulary.build(counts, 1, Integer.MAX_VALUE);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] doc = new int[meanDocLen * 3 / 2 + 1];
        long t0 = System.nanoTime();
        try (DatasetWriter w = DatasetWriter.create(dir, vocab, shardTokens)) {
            SplitWriter train = w.split(ShardLayout.TRAIN);
            long left = tokens;
            while (left > 0) {
                int len = (int) Math.min(left, meanDocLen / 2 + rnd.nextInt(meanDocLen + 1));
                for (int i = 0; i < len; i++) {
                    doc[i] = rnd.nextInt(vocab.size());
                }
                train.addDocument(doc, 0, len);
                left -= len;
            }
            w.commit(Map.of("name", "synthetic", "settings", Map.of()), Map.of("files", List.of()),
                    Map.of("shard_tokens", shardTokens, "mean_doc_len", meanDocLen, "seed", seed));
        }
        System.err.printf("wrote %d tokens to %s in %.1f s%n", tokens, dir, (System.nanoTime() - t0) / 1e9);
        return dir;
    }

    /** {@code ensure} from the command line: DIR TOKENS [MEAN_DOC_LEN [SHARD_TOKENS]]. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long tokens = Long.parseLong(args[1]);
        int meanDocLen = args.length > 2 ? Integer.parseInt(args[2]) : 3000;
        long shardTokens = args.length > 3 ? Long.parseLong(args[3]) : 250_000_000L;
        ensure(dir, tokens, meanDocLen, shardTokens, 1);
    }
}
