package org.lmshards.trainer.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.vocab.Vocabulary;

/** Small datasets written with core's {@link DatasetWriter}, for iterator tests. */
final class TestDatasets {
    private TestDatasets() {
    }

    /** A vocabulary of {@code 9 + words} entries (plus xxfake padding): specials, then w0, w1, ... */
    static Vocabulary vocab(int words) {
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < words; i++) {
            counts.put("w" + i, 1_000_000L - i);
        }
        return Vocabulary.build(counts, 1, Integer.MAX_VALUE);
    }

    static List<int[]> randomDocs(Random rnd, int docs, int maxLen, int vocabSize) {
        List<int[]> out = new ArrayList<>();
        for (int d = 0; d < docs; d++) {
            int[] doc = new int[1 + rnd.nextInt(maxLen)];
            for (int i = 0; i < doc.length; i++) {
                doc[i] = rnd.nextInt(vocabSize);
            }
            out.add(doc);
        }
        return out;
    }

    /** Writes {@code splits} (name to documents; must include train) and commits. */
    static void write(Path dir, Vocabulary vocab, long shardTokens, Map<String, List<int[]>> splits) throws IOException {
        try (DatasetWriter w = DatasetWriter.create(dir, vocab, shardTokens)) {
            for (Map.Entry<String, List<int[]>> e : splits.entrySet()) {
                SplitWriter s = w.split(e.getKey());
                for (int[] doc : e.getValue()) {
                    s.addDocument(doc);
                }
            }
            w.commit(Map.of("name", "synthetic", "settings", Map.of()), Map.of("files", List.of()),
                    Map.of("shard_tokens", shardTokens));
        }
    }

    /** The documents as one in-memory source (the reference the store-backed iterator must equal). */
    static ArraySource inMemory(List<int[]> docs) {
        long[] offsets = new long[docs.size() + 1];
        for (int d = 0; d < docs.size(); d++) {
            offsets[d + 1] = offsets[d] + docs.get(d).length;
        }
        int[] tokens = new int[(int) offsets[docs.size()]];
        for (int d = 0; d < docs.size(); d++) {
            System.arraycopy(docs.get(d), 0, tokens, (int) offsets[d], docs.get(d).length);
        }
        return new ArraySource("reference", tokens, offsets);
    }
}
