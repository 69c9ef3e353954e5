package org.lmshards.spark.shard;

import java.util.Arrays;
import java.util.List;

import org.lmshards.spark.csv.InputUnit;

/**
 * The token count of every document of a split, per read unit in document order: the input of
 * {@link ShardPlan#plan}. Assembled on the driver from the block summaries, which Spark returns
 * in no particular document order, checking that every document is seen exactly once.
 */
public final class DocumentLengths {
    private DocumentLengths() {
    }

    /** {@code lengths[unit][ordinal]}: the tokens of each document of each of {@code units}. */
    public static int[][] of(String split, List<InputUnit> units, List<BlockSummary> summaries) {
        int[] counts = new int[units.size()];
        for (BlockSummary s : summaries) {
            for (int i = 0; i < s.units().length; i++) {
                counts[s.units()[i]] = (int) Math.max(counts[s.units()[i]], s.ordinals()[i] + 1);
            }
        }
        int[][] lengths = new int[units.size()][];
        for (int f = 0; f < units.size(); f++) {
            lengths[f] = new int[counts[f]];
            Arrays.fill(lengths[f], -1);
        }
        for (BlockSummary s : summaries) {
            for (int i = 0; i < s.units().length; i++) {
                int[] l = lengths[s.units()[i]];
                int o = (int) s.ordinals()[i];
                if (l[o] != -1) {
                    throw new IllegalStateException(split + ": document " + o + " of unit " + units.get(s.units()[i]) + " seen twice");
                }
                l[o] = s.lengths()[i];
            }
        }
        for (int f = 0; f < units.size(); f++) {
            for (int o = 0; o < lengths[f].length; o++) {
                if (lengths[f][o] < 0) {
                    throw new IllegalStateException(split + ": document " + o + " of unit " + units.get(f) + " is missing");
                }
            }
        }
        return lengths;
    }

    /** The number of documents in {@code lengths}. */
    public static long count(int[][] lengths) {
        return Arrays.stream(lengths).mapToLong(l -> l.length).sum();
    }
}
