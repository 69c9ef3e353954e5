package org.lmshards.trainer.data;

import org.lmshards.core.shard.RunStarts;
import org.lmshards.core.shard.RunWalker;

/**
 * One epoch's token stream: the split's documents concatenated, in their stored order or in the
 * epoch's seeded permutation. The permuted stream is virtual: it keeps, per document in stream
 * order, where the document starts in the split and where it starts in the stream (16 bytes a
 * document, allocated once and refilled each epoch), and reads tokens straight from the source.
 *
 * <p>{@link #read} is safe to call from several threads once {@link #prepare} has returned;
 * {@link #prepare} must not run concurrently with reads.
 */
final class EpochStream {
    private final TokenSource source;
    private final boolean shuffle;
    private final long seed;
    private final int docs;
    /** Shuffled only: document id at each stream position (scratch for building the arrays below). */
    private final int[] perm;
    /** Shuffled only: split offset of the k-th document of the stream. */
    private final long[] sourceStart;
    /** Shuffled only: stream offset of the k-th document; {@code streamStart[docs] == size}. */
    private final long[] streamStart;
    private int epoch = -1;
    /** Shuffled only: each piece of a read lies in one document, read from where the source holds it. */
    private final RunWalker.PieceReader<int[], Void> intPieces;
    private final RunWalker.PieceReader<float[], int[]> floatPieces;

    EpochStream(TokenSource source, boolean shuffle, long seed) {
        this.source = source;
        this.shuffle = shuffle;
        this.seed = seed;
        if (shuffle) {
            long n = source.numDocs();
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(source.name() + ": " + n + " documents are too many to shuffle");
            }
            docs = (int) n;
            perm = new int[docs];
            sourceStart = new long[docs];
            streamStart = new long[docs + 1];
        } else {
            docs = 0;
            perm = null;
            sourceStart = null;
            streamStart = null;
        }
        intPieces = (k, inDoc, dst, off, n, none) -> source.read(sourceStart[k] + inDoc, dst, off, n);
        floatPieces = (k, inDoc, dst, off, n, scratch) -> source.read(sourceStart[k] + inDoc, dst, off, n, scratch);
    }

    /** Builds the stream of {@code epoch} (a no-op when unshuffled or already prepared). */
    void prepare(int epoch) {
        if (!shuffle || epoch == this.epoch) {
            this.epoch = epoch;
            return;
        }
        DocumentShuffle.permutation(seed, epoch, perm, docs);
        long pos = 0;
        for (int k = 0; k < docs; k++) {
            long start = source.docStart(perm[k]);
            sourceStart[k] = start;
            streamStart[k] = pos;
            pos += source.docEnd(perm[k]) - start;
        }
        streamStart[docs] = pos;
        if (pos != source.size()) {
            throw new IllegalStateException(source.name() + ": document lengths add up to " + pos
                    + " tokens but the split holds " + source.size());
        }
        this.epoch = epoch;
    }

    int epoch() {
        return epoch;
    }

    long size() {
        return source.size();
    }

    /** Copies stream tokens {@code [pos, pos+len)} into {@code dst[off..]}. */
    void read(long pos, int[] dst, int off, int len) {
        read(pos, dst, off, len, -1);
    }

    /**
     * As {@link #read(long, int[], int, int)}, starting the document lookup at {@code hint} (any
     * value is safe; a good one saves a binary search). Returns a hint for a read further on: the
     * stream document holding the last token read ({@code -1} when unshuffled).
     */
    int read(long pos, int[] dst, int off, int len, int hint) {
        checkRange(pos, len);
        if (!shuffle) {
            source.read(pos, dst, off, len);
            return -1;
        }
        return readShuffled(pos, dst, off, len, hint, intPieces, null);
    }

    /**
     * As {@link #read(long, int[], int, int, int)}, the ids as {@code float} (see
     * {@link TokenSource#read(long, float[], int, int, int[])} for {@code scratch}).
     */
    int read(long pos, float[] dst, int off, int len, int hint, int[] scratch) {
        checkRange(pos, len);
        if (!shuffle) {
            source.read(pos, dst, off, len, scratch);
            return -1;
        }
        return readShuffled(pos, dst, off, len, hint, floatPieces, scratch);
    }

    private <D, W> int readShuffled(long pos, D dst, int off, int len, int hint, RunWalker.PieceReader<D, W> pieces,
            W with) {
        int k = locate(pos, hint);
        if (pos + len <= streamStart[k + 1]) {
            // Most reads lie in one document. Reading it without RunWalker keeps the hot path small
            // enough for the JIT to inline into the batch filler: RunWalker's call to its reader is
            // shared by all its callers (the store's segment reads too), so it is compiled for all.
            pieces.read(k, pos - streamStart[k], dst, off, len, with);
            return k;
        }
        return RunWalker.read(streamStart, k, pos, dst, off, len, pieces, with);
    }

    private void checkRange(long pos, int len) {
        if (pos < 0 || len < 0 || pos + len > source.size()) {
            throw new IndexOutOfBoundsException("tokens [" + pos + ", " + (pos + len) + ") outside the stream of "
                    + source.size() + " tokens of " + source.name());
        }
    }

    /** The stream document holding position {@code pos}: the hint or its successor, else a binary search. */
    private int locate(long pos, int hint) {
        if (hint >= 0 && hint < docs && streamStart[hint] <= pos) {
            if (pos < streamStart[hint + 1]) {
                return hint;
            }
            if (hint + 1 < docs && pos < streamStart[hint + 2]) {
                return hint + 1;
            }
        }
        // Documents are never empty (FORMAT.md), so stream starts strictly increase.
        return RunStarts.runOf(streamStart, 0, docs + 1, pos);
    }
}
