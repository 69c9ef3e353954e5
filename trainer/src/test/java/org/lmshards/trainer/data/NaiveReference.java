package org.lmshards.trainer.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The obvious implementation of fastai's {@code LMDataLoader}: the epoch's whole stream
 * materialized as one array, batches cut from it with the formulas of {@code create_item}.
 */
final class NaiveReference {
    private NaiveReference() {
    }

    /** The epoch's stream: documents in stored order, or in the epoch's permutation. */
    static int[] stream(TokenSource src, boolean shuffle, long seed, int epoch) {
        int docs = (int) src.numDocs();
        int[] order = new int[docs];
        if (shuffle) {
            DocumentShuffle.permutation(seed, epoch, order, docs);
        } else {
            for (int i = 0; i < docs; i++) {
                order[i] = i;
            }
        }
        int[] out = new int[(int) src.size()];
        int pos = 0;
        for (int d : order) {
            int len = (int) (src.docEnd(d) - src.docStart(d));
            src.read(src.docStart(d), out, pos, len);
            pos += len;
        }
        return out;
    }

    /** Batches as {@code [x, y]} pairs of {@code int[bs][len]}. */
    static List<int[][][]> batches(int[] stream, int bs, int sl, boolean dropLast) {
        int corpus = (stream.length - 1) / bs * bs;
        int bl = corpus / bs;
        int nBatches = bl / sl + (bl % sl != 0 ? 1 : 0);
        int lastLen = bl - (nBatches - 1) * sl;
        if (dropLast && lastLen != sl) {
            nBatches--;
        }
        List<int[][][]> out = new ArrayList<>();
        for (int i = 0; i < nBatches; i++) {
            int len = i == nBatches - 1 && !dropLast ? lastLen : sl;
            int[][] x = new int[bs][len];
            int[][] y = new int[bs][len];
            for (int j = 0; j < bs; j++) {
                int st = j * bl + i * sl;
                for (int t = 0; t < len; t++) {
                    x[j][t] = stream[st + t];
                    y[j][t] = stream[st + t + 1];
                }
            }
            out.add(new int[][][] {x, y});
        }
        return out;
    }
}
