package org.lmshards.trainer.data;

/**
 * Batch layout of fastai's {@code LMDataLoader} for a stream of {@code n} tokens.
 *
 * <p>{@code corpus = floor((n-1)/bs)*bs} tokens are used as inputs (the {@code -1} leaves room
 * for the last label), split into {@code bs} rows of {@code bl = corpus/bs} consecutive tokens.
 * Batch {@code i} holds, for every row {@code j}, the window starting at stream position
 * {@code j*bl + i*sl}; all batches are {@code sl} long except possibly the last one, which is
 * {@code bl - (nBatches-1)*sl} long. With {@code dropLast} a short last batch is left out.
 *
 * @param tokens   tokens in the stream ({@code n})
 * @param batchSize rows per batch ({@code bs})
 * @param seqLen   sequence length ({@code sl})
 * @param rowLength tokens per row over the epoch ({@code bl})
 * @param batches  batches per epoch
 * @param lastLength length of the last batch of the epoch
 */
public record BatchGeometry(long tokens, int batchSize, int seqLen, long rowLength, long batches, int lastLength) {

    /**
     * Computes the layout.
     *
     * @throws SplitTooSmallException when not even one batch fits (fewer than {@code bs+1} tokens,
     *         or fewer than {@code sl} tokens per row with {@code dropLast})
     */
    public static BatchGeometry of(String splitName, long tokens, int batchSize, int seqLen, boolean dropLast) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (seqLen < 1) {
            throw new IllegalArgumentException("sequence length must be at least 1, got " + seqLen);
        }
        long corpus = tokens < 1 ? 0 : (tokens - 1) / batchSize * batchSize;
        long bl = corpus / batchSize;
        if (bl == 0) {
            throw new SplitTooSmallException(splitName + ": " + tokens + " tokens are too few for batch size "
                    + batchSize + " (at least " + (batchSize + 1L) + " needed); use a smaller --bs");
        }
        if (dropLast) {
            long full = bl / seqLen;
            if (full == 0) {
                throw new SplitTooSmallException(splitName + ": " + tokens + " tokens give rows of " + bl
                        + " tokens at batch size " + batchSize + ", shorter than sequence length " + seqLen
                        + ", so drop-last leaves no batch; use a smaller --bs or --seq-len");
            }
            return new BatchGeometry(tokens, batchSize, seqLen, bl, full, seqLen);
        }
        long batches = (bl + seqLen - 1) / seqLen;
        int last = (int) (bl - (batches - 1) * seqLen);
        return new BatchGeometry(tokens, batchSize, seqLen, bl, batches, last);
    }

    /** Length (time steps) of batch {@code batch}. */
    public int length(long batch) {
        return batch == batches - 1 ? lastLength : seqLen;
    }

    /** Stream position of the first input token of row {@code row} of batch {@code batch}. */
    public long rowStart(long batch, int row) {
        return row * rowLength + batch * seqLen;
    }
}
