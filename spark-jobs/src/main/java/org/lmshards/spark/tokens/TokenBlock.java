package org.lmshards.spark.tokens;

import java.io.Serializable;
import java.util.List;

import org.lmshards.spark.csv.Reject;

/**
 * Tokenized documents of one chunk of a partition, kept compact for caching between the
 * counting and writing stages: tokens as ids into the block's own small string table, so a
 * token string is stored once per block and the global vocabulary can be applied later by
 * translating the table. {@code counts[i]} is how often {@code table[i]} occurs in the documents,
 * counted while tokenizing so that the frequency count does not walk the documents again.
 */
public record TokenBlock(String[] table, int[] counts, int[] files, long[] ordinals, int[][] docs, List<Reject> rejects)
        implements Serializable {

    public int[] lengths() {
        int[] l = new int[docs.length];
        for (int i = 0; i < docs.length; i++) {
            l[i] = docs[i].length;
        }
        return l;
    }
}
