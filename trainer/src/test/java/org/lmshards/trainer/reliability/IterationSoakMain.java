package org.lmshards.trainer.reliability;

import java.nio.file.Path;
import java.util.Locale;

import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.trainer.data.LmStreamIterator;
import org.lmshards.trainer.data.MemoryProbe;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * Child-JVM body of {@link IterationSoakTest}: iterates EPOCHS shuffled epochs over DIR's train
 * split and prints one line per epoch: {@code epoch E batches B heap H rssAnon R} (bytes; heap in
 * use after GC).
 */
public final class IterationSoakMain {
    private IterationSoakMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int epochs = Integer.parseInt(args[1]);
        int workers = Integer.parseInt(args[2]);
        try (Dataset ds = Dataset.open(dir); TokenStore store = ds.split("train");
             LmStreamIterator it = LmStreamIterator.builder(store).batchSize(64).seqLen(72).shuffle(true).seed(3)
                     .workers(workers).build()) {
            double checksum = 0;
            for (int e = 1; e <= epochs; e++) {
                if (e > 1) {
                    it.reset();
                }
                long batches = 0;
                while (it.hasNext()) {
                    DataSet b = it.next();
                    checksum += b.getLabels().getFloat(0, 0, 0); // touch the data
                    batches++;
                }
                MemoryProbe m = MemoryProbe.sample();
                System.out.printf(Locale.ROOT, "epoch %d batches %d heap %d rssAnon %d%n", e, batches, m.heapAfterGc(),
                        m.rssAnon());
                System.out.flush();
            }
            System.out.println("checksum " + checksum);
        }
    }
}
