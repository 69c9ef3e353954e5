package org.lmshards.spark.csv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.apache.spark.api.java.JavaSparkContext;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.InputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read units of a split: whole files, except that files over 1.5 read chunks are cut at
 * record boundaries found by a scanning pass ({@link ScanTask}, one task per large file), so
 * that one huge file is parsed by several tasks.
 */
public final class ReadUnits {
    private static final Logger LOG = LoggerFactory.getLogger(ReadUnits.class);

    private ReadUnits() {
    }

    /**
     * @param parts          the tokenizing partitions
     * @param readChunkBytes {@code --read-chunk-bytes}; null: split size / (2 x parts), between 8 and 64 MiB
     */
    public static List<InputUnit> of(JavaSparkContext jsc, String split, List<InputFile> files, HadoopConf conf, int parts,
                                     Long readChunkBytes) {
        long splitBytes = files.stream().mapToLong(InputFile::size).sum();
        long chunk = readChunkBytes != null ? readChunkBytes
                : Math.max(8L << 20, Math.min(64L << 20, splitBytes / (2L * parts)));
        List<Integer> large = IntStream.range(0, files.size()).filter(i -> files.get(i).size() > chunk + chunk / 2).boxed().toList();
        Map<Integer, List<InputUnit>> cut = new HashMap<>();
        if (!large.isEmpty()) {
            List<List<InputUnit>> scanned = jsc.parallelize(large, large.size()).map(new ScanTask(files, conf, chunk)).collect();
            for (List<InputUnit> l : scanned) {
                cut.put(l.get(0).file(), l);
            }
        }
        List<InputUnit> units = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            units.addAll(cut.getOrDefault(f, List.of(InputUnit.wholeFile(f))));
        }
        if (!large.isEmpty()) {
            LOG.info("{}: {} large file(s) cut into {} read units at record boundaries", split, large.size(), units.size());
        }
        return units;
    }
}
