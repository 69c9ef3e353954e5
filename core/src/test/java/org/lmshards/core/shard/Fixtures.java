package org.lmshards.core.shard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;

/** Synthetic vocabularies and datasets for the shard tests (no tokenizer involved). */
final class Fixtures {
    private Fixtures() {
    }

    /** A vocabulary from {@code n} synthetic tokens with distinct counts; its size is 9 + n + padding. */
    static Vocabulary vocabWithTokens(int n) {
        Map<String, Long> counts = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            counts.put("w" + i, (long) (n - i) + 10);
        }
        return Vocabulary.build(counts, 1, Integer.MAX_VALUE);
    }

    /** Exactly 65 536 entries: the largest vocabulary stored as uint16 (ids up to 65535 test unsigned reads). */
    static Vocabulary uint16MaxVocab() {
        Vocabulary v = vocabWithTokens(65_526); // 9 + 65526 = 65535, padded by one xxfake
        if (v.size() != 65_536) {
            throw new AssertionError(v.size());
        }
        return v;
    }

    /** 65 544 entries: just past uint16, so stored as int32. */
    static Vocabulary int32Vocab() {
        Vocabulary v = vocabWithTokens(65_527); // 9 + 65527 = 65536, padded by eight xxfake
        if (v.size() != 65_544) {
            throw new AssertionError(v.size());
        }
        return v;
    }

    /** Random documents of 1..maxLen ids in [0, vocabSize), always including the largest id once. */
    static List<int[]> randomDocs(long seed, int numDocs, int maxLen, int vocabSize) {
        Random r = new Random(seed);
        List<int[]> docs = new ArrayList<>(numDocs);
        for (int d = 0; d < numDocs; d++) {
            int[] doc = new int[1 + r.nextInt(maxLen)];
            for (int i = 0; i < doc.length; i++) {
                doc[i] = r.nextInt(vocabSize);
            }
            docs.add(doc);
        }
        docs.get(numDocs / 2)[0] = vocabSize - 1;
        return docs;
    }

    /** Writes a dataset with the given train (and optional valid) documents. */
    static void write(Path dir, Vocabulary vocab, long shardTokens, List<int[]> train, List<int[]> valid)
            throws IOException {
        try (DatasetWriter w = DatasetWriter.create(dir, vocab, shardTokens)) {
            SplitWriter t = w.split(ShardLayout.TRAIN);
            for (int[] d : train) {
                t.addDocument(d);
            }
            if (valid != null) {
                SplitWriter v = w.split(ShardLayout.VALID);
                for (int[] d : valid) {
                    v.addDocument(d);
                }
            }
            w.commit(Map.of("name", "synthetic", "settings", Map.of()),
                    SourceFile.fingerprint(List.of(new SourceFile("file:/synthetic.csv", 123, 456))),
                    Map.of("shard_tokens", shardTokens));
        }
    }

    /** The concatenation of the documents. */
    static int[] concat(List<int[]> docs) {
        int n = docs.stream().mapToInt(d -> d.length).sum();
        int[] out = new int[n];
        int p = 0;
        for (int[] d : docs) {
            System.arraycopy(d, 0, out, p, d.length);
            p += d.length;
        }
        return out;
    }

    static SplitMeta readMeta(Path splitDir) throws IOException {
        Path f = splitDir.resolve(ShardLayout.META);
        try (InputStream in = Files.newInputStream(f)) {
            return SplitMeta.read(in, f.toString());
        }
    }

    static void writeMeta(Path splitDir, SplitMeta meta) throws IOException {
        try (OutputStream out = Files.newOutputStream(splitDir.resolve(ShardLayout.META))) {
            meta.write(out);
        }
    }

    /** Rewrites shard {@code index} of meta.json. */
    static void editShard(Path splitDir, int index, UnaryOperator<ShardMeta> edit) throws IOException {
        SplitMeta m = readMeta(splitDir);
        List<ShardMeta> shards = new ArrayList<>(m.shards());
        shards.set(index, edit.apply(shards.get(index)));
        writeMeta(splitDir, new SplitMeta(m.format(), m.formatVersion(), m.split(), m.dtype(), m.vocabSize(),
                m.totalTokens(), m.numDocs(), shards, m.tokenizer(), m.source(), m.settings(), m.rejectedRows(),
                m.createdAt(), m.toolVersion()));
    }

    /** Makes meta.json's checksums agree with the files again (to reach the checks behind the checksum). */
    static void fixChecksums(Path splitDir, int index) throws IOException {
        long t = DatasetVerifier.crc32c(splitDir.resolve(ShardLayout.tokensFile(index)));
        long d = DatasetVerifier.crc32c(splitDir.resolve(ShardLayout.docsFile(index)));
        editShard(splitDir, index, s -> new ShardMeta(s.index(), s.tokensFile(), s.docsFile(), s.numTokens(),
                s.numDocs(), s.firstDoc(), s.firstToken(), t, d));
    }

    /** Reads windows of a split into its own buffer (one reader per thread). */
    interface WindowReader {
        void read(long from);

        /** Token {@code i} of the last window read. */
        double token(int i);
    }

    /**
     * Writes 100 random documents (seed {@code seed}) as the train split of a dataset in
     * {@code dir} (1,500-token shards), opens it with 256-token mappings, and has four threads,
     * each with the reader {@code readers} makes over the store, read 300 windows of 700 tokens
     * at random offsets (seeded by the thread's index), comparing every token with the documents.
     */
    static void assertConcurrentReadsMatch(Path dir, long seed, Function<TokenStore, WindowReader> readers) throws Exception {
        Vocabulary vocab = uint16MaxVocab();
        List<int[]> docs = randomDocs(seed, 100, 200, vocab.size());
        write(dir, vocab, 1500, docs, null);
        try (TokenStore t = TokenStore.open(dir, "train", 256)) {
            assertConcurrentReadsMatch(concat(docs), 700, () -> readers.apply(t));
        }
    }

    private static void assertConcurrentReadsMatch(int[] ref, int window, Supplier<WindowReader> readers) throws Exception {
        List<Callable<Integer>> jobs = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
            long seed = j;
            jobs.add(() -> {
                WindowReader reader = readers.get();
                Random r = new Random(seed);
                int checked = 0;
                for (int k = 0; k < 300; k++) {
                    int from = r.nextInt(ref.length - window);
                    reader.read(from);
                    for (int i = 0; i < window; i++) {
                        if (reader.token(i) != ref[from + i]) {
                            throw new AssertionError("thread " + seed + " read(" + from + ") differs at " + i);
                        }
                    }
                    checked += window;
                }
                return checked;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (Future<Integer> f : pool.invokeAll(jobs)) {
                assertThat(f.get()).isEqualTo(300 * window);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
