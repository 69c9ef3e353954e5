package org.lmshards.spark.shard;

import java.io.Serializable;

/**
 * Consecutive documents of one shard, numericalized, as the write stage's shuffle carries them:
 * the documents' token counts and their tokens already encoded in the split's dtype
 * (little-endian {@code <u2} or {@code <i4}), so that the shard writer copies bytes and the
 * shuffle moves two bytes per token where the vocabulary allows it. Keyed by the global number
 * of its first document.
 */
public record ShardPiece(int[] docLengths, byte[] tokens, long unknownTokens) implements Serializable {

    public int numDocs() {
        return docLengths.length;
    }
}
