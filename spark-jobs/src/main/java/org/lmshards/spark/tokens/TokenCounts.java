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
 * <p>Each map task routes its blocks' table entries (token UTF-8 bytes and counts) into one
 * binary payload per reduce partition; each reduce task merges its payloads on the bytes
 * ({@link ByteCountTable}) and keeps only tokens that reach {@code minFreq}, again as one
 * payload, which the driver decodes. This replaces a
 * {@code reduceByKey} over millions of Java-serialized {@code (String, Long)} pairs, whose
 * serialization and sort-based map-side combine cost as much as tokenizing (measured).
 */
public final class TokenCounts {
    private TokenCounts() {
    }

    /** Tokens of the blocks that occur at least {@code minFreq} times, with their counts. */
    public static Map<String, Long> frequent(JavaRDD<TokenBlock> blocks, int parts, int minFreq) {
        List<byte[]> kept = blocks
                .mapPartitionsToPair(it -> split(it, parts).iterator())
                .partitionBy(new HashPartitioner(parts))   // key i goes to partition i
                .mapPartitions(it -> {
                    ByteCountTable merged = new ByteCountTable();
                    while (it.hasNext()) {
                        CountPayload.mergeInto(it.next()._2(), merged);
                    }
                    CountPayload out = new CountPayload();
                    merged.appendAtLeast(minFreq, out);
                    return List.of(out.toBytes()).iterator();
                })
                .collect();
        Map<String, Long> out = new HashMap<>();
        for (byte[] b : kept) {
            CountPayload.decodeInto(b, out);
        }
        return out;
    }

    /**
     * One payload per reduce partition, keyed by the partition's index: each block's table
     * entries are routed by a hash of their UTF-8 bytes and copied as bytes, without decoding a
     * string or merging on the map side (the reducers merge; a token's entries all reach the
     * same reducer because the hash depends on its bytes only).
     */
    private static List<Tuple2<Integer, byte[]>> split(Iterator<TokenBlock> blocks, int parts) {
        CountPayload[] byPart = new CountPayload[parts];
        while (blocks.hasNext()) {
            TokenBlock b = blocks.next();
            TokenStrings table = b.table();
            int[] counts = b.counts();
            for (int i = 0; i < counts.length; i++) {
                int p = Math.floorMod(table.hash(i), parts);
                if (byPart[p] == null) {
                    byPart[p] = new CountPayload();
                }
                table.appendTo(byPart[p], i, counts[i]);
            }
        }
        List<Tuple2<Integer, byte[]>> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            if (byPart[p] != null) {
                out.add(new Tuple2<>(p, byPart[p].toBytes()));
            }
        }
        return out;
    }
}
