package org.lmshards.spark.tokens;

import java.io.Serializable;
import org.lmshards.spark.csv.RejectBatch;

/**
 * Tokenized documents of one chunk of a partition, kept compact for caching between the
 * counting and writing stages: tokens as ids into the block's own small string table, so a
 * token string is stored once per block and the global vocabulary can be applied later by
 * translating the table. {@code counts[i]} is how often {@code table.get(i)} occurs, counted by
 * the executor that built the block, so that the frequency count does not walk the documents again.
 *
 * <p>All documents' ids share one array ({@code ids}; document {@code d} is
 * {@code [docEnds[d-1], docEnds[d])}): a few large arrays instead of one per document, which
 * the garbage collector allocates outside the young generation and never copies (per-document
 * arrays, copied as survivors, slowed concurrent tasks measurably). The block's rejected rows
 * are in a spool file ({@code rejects}), not in memory.
 */
public record TokenBlock(TokenStrings table, int[] counts, int[] units, long[] ordinals, int[] docEnds, int[] ids,
                         RejectBatch rejects) implements Serializable {

    public int numDocs() {
        return docEnds.length;
    }

    public int docStart(int d) {
        return d == 0 ? 0 : docEnds[d - 1];
    }

    /** Tokens of document {@code d}. */
    public int length(int d) {
        return docEnds[d] - docStart(d);
    }

    public int[] lengths() {
        int[] l = new int[docEnds.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = length(i);
        }
        return l;
    }
}
