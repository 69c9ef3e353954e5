package org.lmshards.core.shard;

import java.util.Arrays;

/**
 * The one search over cumulative counts: given run starts (a split's shards by first token or
 * first document, its mapped segments, an epoch's documents), where run {@code k} covers
 * {@code [start[k], start[k+1])}, which run holds a position. Starts must be strictly
 * increasing (runs are never empty: FORMAT.md has no empty shards or documents), so a position
 * has exactly one run.
 */
public final class RunStarts {
    private RunStarts() {
    }

    /** As {@link #runOf(long[], int, int, long)} over the whole array. */
    public static int runOf(long[] start, long pos) {
        return runOf(start, 0, start.length, pos);
    }

    /**
     * The last index {@code k} in {@code [from, to)} with {@code start[k] <= pos}: the run holding
     * {@code pos}, the last one for positions past it. Leave a trailing total out of
     * {@code [from, to)} to get the last run, not the total's index, for {@code pos == total}.
     * {@code from - 1} when {@code pos < start[from]}.
     */
    public static int runOf(long[] start, int from, int to, long pos) {
        int k = Arrays.binarySearch(start, from, to, pos);
        return k >= 0 ? k : -k - 2;
    }
}
