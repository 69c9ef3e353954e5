package org.lmshards.trainer.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.shard.SourceFile;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, "Load": 50 shuffled epochs of {@code LmStreamIterator} over a generated split of
 * {@value #TOKENS} tokens (override with {@code -Dlmshards.soak.tokens=N}) in a child JVM with a
 * 64 MiB heap, with one prefetch worker. From epoch 2 to epoch 50 neither the heap in use after
 * GC nor the anonymous RSS ({@code RssAnon}: heap, native and ND4J buffers, not the page cache of
 * the mapped shards) may grow by more than {@value #MAX_GROWTH_MIB} MiB. The split (96 MB of uint16 ids) is larger
 * than the heap, so a reader that copied shards to the heap could not even run. Asserts on
 * memory only, never on time. The dataset lives under the JUnit temporary directory and is
 * deleted afterwards.
 *
 * <p>Tagged {@code soak}: not in the default {@code mvn verify} (it is a long measurement, not a
 * check of a change); run it with {@code -Psoak} (docs/RELIABILITY.md, "Load").
 */
@Tag("soak")
class IterationSoakTest {
    static final long TOKENS = 48_000_000;
    static final int EPOCHS = 50;
    static final long MAX_GROWTH_MIB = 3;

    @TempDir
    Path tmp;

    @Test
    void fiftyEpochsWithoutHeapOrRssGrowth() throws Exception {
        long tokens = Long.getLong("lmshards.soak.tokens", TOKENS);
        Path dir = tmp.resolve("soak");
        writeDataset(dir, tokens);
        Path log = tmp.resolve("soak.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                IterationSoakMain.class.getName(), dir.toString(), Integer.toString(EPOCHS), "1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        try {
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        List<long[]> epochs = new ArrayList<>(); // {epoch, batches, heap, rssAnon}
        for (String line : out.lines().toList()) {
            if (line.startsWith("epoch ")) {
                String[] f = line.split(" ");
                epochs.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[3]), Long.parseLong(f[5]), Long.parseLong(f[7])});
            }
        }
        assertThat(epochs).as(out).hasSize(EPOCHS);
        assertThat(epochs).allSatisfy(e -> assertThat(e[1]).isEqualTo(epochs.get(0)[1]));
        assertThat(epochs.get(0)[1] * 64 * 72).as("every epoch covers the split").isGreaterThan(tokens * 9 / 10);
        long[] second = epochs.get(1);
        long[] last = epochs.get(EPOCHS - 1);
        long heapGrowth = last[2] - second[2];
        long rssGrowth = last[3] - second[3];
        System.out.printf("soak: %d tokens, %d epochs: heap after GC %.1f -> %.1f MiB, RssAnon %.1f -> %.1f MiB%n",
                tokens, EPOCHS, second[2] / 1048576.0, last[2] / 1048576.0, second[3] / 1048576.0, last[3] / 1048576.0);
        assertThat(heapGrowth).as("heap-after-GC growth from epoch 2 to %d (bytes)\n%s", EPOCHS, out)
                .isLessThan(MAX_GROWTH_MIB << 20);
        if (second[3] > 0) { // RssAnon needs Linux /proc
            assertThat(rssGrowth).as("RssAnon growth from epoch 2 to %d (bytes)\n%s", EPOCHS, out)
                    .isLessThan(MAX_GROWTH_MIB << 20);
            // No epoch in between may have spiked either (a leak freed only at the end would hide in last - second).
            long maxRss = epochs.subList(1, EPOCHS).stream().mapToLong(e -> e[3]).max().orElseThrow();
            assertThat(maxRss - second[3]).as("RssAnon peak above epoch 2 (bytes)").isLessThan(2 * MAX_GROWTH_MIB << 20);
        }
    }

    /** Uniform random ids in documents of 50 to 5000 tokens, vocabulary of 1000 (uint16 shards of 4 Mi tokens). */
    static void writeDataset(Path dir, long tokens) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < 991; i++) {
            counts.put("w" + i, 10_000L - i);
        }
        Vocabulary vocab = Vocabulary.build(counts, 1, 60_000);
        SplittableRandom rnd = new SplittableRandom(5);
        int[] doc = new int[5000];
        try (DatasetWriter w = DatasetWriter.create(dir, vocab, 4L << 20)) {
            SplitWriter train = w.split("train");
            for (long done = 0; done < tokens; ) {
                int len = (int) Math.min(50 + rnd.nextInt(4951), tokens - done);
                doc[0] = 2;
                for (int i = 1; i < len; i++) {
                    doc[i] = 9 + rnd.nextInt(vocab.size() - 9);
                }
                train.addDocument(doc, 0, len);
                done += len;
            }
            w.commit(Map.of("name", "soak"), SourceFile.fingerprint(List.of()), Map.of());
        }
    }
}
