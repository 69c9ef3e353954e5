package org.lmshards.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.trainer.data.LmStreamIterator;
import org.lmshards.trainer.data.MemoryProbe;

/**
 * Iterates many epochs over a (large) split and prints, after every epoch, the heap in use after
 * GC and the anonymous RSS: both must stay flat and must not depend on the corpus size.
 *
 * <p>Usage: {@code MemorySoak DIR TOKENS [EPOCHS [WORKERS [BS [SEQ_LEN [SHUFFLE]]]]]}; writes the dataset
 * first when DIR does not hold one with TOKENS tokens.
 */
public final class MemorySoak {
    private MemorySoak() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long tokens = Long.parseLong(args[1]);
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int bs = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int seqLen = args.length > 5 ? Integer.parseInt(args[5]) : 72;
        boolean shuffle = args.length <= 6 || Boolean.parseBoolean(args[6]);
        BenchDatasets.ensure(dir, tokens, 3000, 250_000_000L, 1);
        System.out.printf("max heap %d MiB; split of %d tokens; bs %d, seq-len %d, workers %d, %s%n",
                Runtime.getRuntime().maxMemory() >> 20, tokens, bs, seqLen, workers,
                shuffle ? "shuffled" : "not shuffled");
        System.out.println("| epoch | batches | seconds | Mtokens/s | heap after GC (MiB) | RssAnon (MiB) | RssFile (MiB) |");
        System.out.println("|---|---|---|---|---|---|---|");
        List<MemoryProbe> samples = new ArrayList<>();
        try (Dataset ds = Dataset.open(dir); TokenStore store = ds.split(ShardLayout.TRAIN);
                LmStreamIterator it = LmStreamIterator.builder(store).batchSize(bs).seqLen(seqLen).shuffle(shuffle)
                        .seed(7).workers(workers).build()) {
            long checksum = 0;
            for (int e = 1; e <= epochs; e++) {
                if (e > 1) {
                    it.reset();
                }
                long t0 = System.nanoTime();
                long batches = 0;
                long inputTokens = 0;
                while (it.hasNext()) {
                    var batch = it.next();
                    checksum += (long) batch.getLabels().getFloat(0, 0, 0); // touch the data
                    inputTokens += batch.getFeatures().length();
                    batches++;
                }
                double s = (System.nanoTime() - t0) / 1e9;
                MemoryProbe m = MemoryProbe.sample();
                samples.add(m);
                System.out.printf("| %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", e, batches, s,
                        inputTokens / s / 1e6, m.heapAfterGc() / 1048576.0, m.rssAnon() / 1048576.0,
                        m.rssFile() / 1048576.0);
            }
            System.out.println("checksum " + checksum);
        }
        if (samples.size() >= 2) {
            MemoryProbe first = samples.get(1);
            MemoryProbe last = samples.get(samples.size() - 1);
            System.out.printf("growth from epoch 2 to %d: heap after GC %+.2f%%, RssAnon %+.2f%%%n", samples.size(),
                    100.0 * (last.heapAfterGc() - first.heapAfterGc()) / first.heapAfterGc(),
                    100.0 * (last.rssAnon() - first.rssAnon()) / first.rssAnon());
        }
    }
}
