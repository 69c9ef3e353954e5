package org.lmshards.core.shard;

/**
 * The one loop that reads a range of a token stream cut into consecutive runs (a split's mapped
 * segments, an epoch's documents in shuffled order), whatever the target array: it cuts the range
 * at run boundaries and hands each piece to a {@link PieceReader}. Callers keep their readers in
 * constants or fields, so a read allocates nothing and dispatches once per piece, not per token.
 *
 * <p>The call to the reader is shared by all callers, so the JIT compiles it for all of them and
 * may then not inline it into a hot loop: a caller whose reads nearly always fit in one run (the
 * store's segments, the stream's documents) calls its reader directly for those.
 */
public final class RunWalker {
    private RunWalker() {
    }

    /**
     * Copies tokens {@code [from, from+n)} of run {@code run} into {@code dst[off, off+n)}.
     * {@code with} is the caller's per-read state (a scratch array, say), passed through so that
     * the reader need not capture it.
     *
     * @param <D> the target array type
     * @param <W> the per-read state
     */
    @FunctionalInterface
    public interface PieceReader<D, W> {
        void read(int run, long from, D dst, int off, int n, W with);
    }

    /**
     * Reads stream tokens {@code [pos, pos+len)} into {@code dst[off, off+len)}, where run
     * {@code k} covers {@code [runStart[k], runStart[k+1])} and {@code run} holds {@code pos}.
     * The caller checks the bounds. Returns the run holding the last token read ({@code run} when
     * {@code len} is 0, after one empty piece).
     */
    public static <D, W> int read(long[] runStart, int run, long pos, D dst, int off, int len,
            PieceReader<D, W> reader, W with) {
        while (true) {
            int n = (int) Math.min(len, runStart[run + 1] - pos);
            reader.read(run, pos - runStart[run], dst, off, n, with);
            len -= n;
            if (len == 0) {
                return run;
            }
            off += n;
            pos += n;
            run++;
        }
    }
}
