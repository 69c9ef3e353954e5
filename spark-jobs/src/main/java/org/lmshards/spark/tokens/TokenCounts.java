package org.lmshards.spark.tokens;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Distributed token-frequency count over cached {@link TokenBlock}s.
 *
 * <p>Each map task sums its blocks' tables into one map, then sends one binary payload (token
 * UTF-8 bytes and counts) per reduce partition; each reduce task merges its payloads and keeps
 * only tokens that reach {@code minFreq}, again as one payload. This replaces a
 * {@code reduceByKey} over millions of Java-serialized {@code (String, Long)} pairs, whose
 * serialization and sort-based map-side combine cost as much as tokenizing (measured).
 */
public final class TokenCounts {
    private TokenCounts() {
    }

    /** Tokens of the blocks that occur at least {@code minFreq} times, with their counts. */
    public static Map<String, Long> frequent(JavaRDD<TokenBlock> blocks, int parts, int minFreq) {
        List<byte[]> kept = blocks
                .mapPartitionsToPair(it -> split(sum(it), parts).iterator())
                .partitionBy(new HashPartitioner(parts))   // key i goes to partition i
                .mapPartitions(it -> {
                    Map<String, long[]> merged = new HashMap<>();
                    while (it.hasNext()) {
                        decode(it.next()._2(), merged);
                    }
                    merged.values().removeIf(c -> c[0] < minFreq);
                    return List.of(encode(merged.entrySet())).iterator();
                })
                .collect();
        Map<String, long[]> all = new HashMap<>();
        for (byte[] b : kept) {
            decode(b, all);
        }
        Map<String, Long> out = new HashMap<>(all.size() * 2);
        all.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

    private static Map<String, long[]> sum(Iterator<TokenBlock> blocks) {
        Map<String, long[]> m = new HashMap<>();
        while (blocks.hasNext()) {
            TokenBlock b = blocks.next();
            int[] c = b.counts();
            String[] table = b.table().toArray();
            for (int i = 0; i < c.length; i++) {
                m.computeIfAbsent(table[i], k -> new long[1])[0] += c[i];
            }
        }
        return m;
    }

    /** One payload per reduce partition, keyed by the partition's index. */
    private static List<Tuple2<Integer, byte[]>> split(Map<String, long[]> counts, int parts) {
        List<List<Map.Entry<String, long[]>>> byPart = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            byPart.add(new ArrayList<>());
        }
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            byPart.get(Math.floorMod(e.getKey().hashCode(), parts)).add(e);
        }
        List<Tuple2<Integer, byte[]>> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            if (!byPart.get(p).isEmpty()) {
                out.add(new Tuple2<>(p, encode(byPart.get(p))));
            }
        }
        return out;
    }

    static byte[] encode(Iterable<Map.Entry<String, long[]>> entries) {
        CountPayload out = new CountPayload();
        for (Map.Entry<String, long[]> e : entries) {
            out.add(e.getKey(), e.getValue()[0]);
        }
        return out.toBytes();
    }

    static void decode(byte[] payload, Map<String, long[]> into) {
        CountPayload.mergeInto(payload, into);
    }
}
