package org.lmshards.trainer.finetune;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.lmshards.core.tokenize.SpecialTokens;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.lmshards.trainer.interop.ModelShape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * fastai's {@code match_embeds}: moves a pretrained model's weights onto a network with another
 * vocabulary. The rows of the embedding, the output weights and the output bias of every token
 * present in both vocabularies are copied by token string; a token new to the pretrained model
 * gets the mean embedding row, the mean output weight row and the mean output bias. The LSTM
 * layers are copied as they are. The vocabulary's {@code xxfake} padding entries are never
 * matched (fastai's {@code o2i} leaves them out), so they get the mean too.
 */
public final class EmbeddingMatch {
    private final int[] sourceId;
    private final int sourceVocab;
    private final int copied;

    private EmbeddingMatch(int[] sourceId, int sourceVocab, int copied) {
        this.sourceId = sourceId;
        this.sourceVocab = sourceVocab;
        this.copied = copied;
    }

    /** For each token of {@code target}, its id in {@code source} (or none); the same list maps every id to itself. */
    public static EmbeddingMatch between(List<String> source, List<String> target) {
        Map<String, Integer> ids = new HashMap<>(source.size() * 2);
        for (int i = 0; i < source.size(); i++) {
            if (!SpecialTokens.FAKE.equals(source.get(i))) { // padding entries, as fastai's o2i leaves them out
                ids.putIfAbsent(source.get(i), i);
            }
        }
        int[] map = new int[target.size()];
        boolean same = source.equals(target);
        int copied = 0;
        for (int t = 0; t < map.length; t++) {
            map[t] = same ? t : ids.getOrDefault(target.get(t), -1);
            if (map[t] >= 0) {
                copied++;
            }
        }
        return new EmbeddingMatch(map, source.size(), copied);
    }

    /** Tokens of the target vocabulary whose rows are copied. */
    public int copied() {
        return copied;
    }

    /** Tokens of the target vocabulary new to the source (rows set to the mean). */
    public int added() {
        return sourceId.length - copied;
    }

    public int sourceVocab() {
        return sourceVocab;
    }

    /** Whether both vocabularies are the same list (the weights then move as they are). */
    public boolean identity() {
        if (sourceId.length != sourceVocab) {
            return false;
        }
        for (int t = 0; t < sourceId.length; t++) {
            if (sourceId[t] != t) {
                return false;
            }
        }
        return true;
    }

    /**
     * Overwrites every parameter of {@code target} (built for the target vocabulary) with
     * {@code source}'s, mapped as described above. Both must have the same LSTM stack.
     */
    public void apply(MultiLayerNetwork source, MultiLayerNetwork target) {
        ModelShape s = PretrainedWeights.shapeOf(source), t = PretrainedWeights.shapeOf(target);
        if (!s.sameArchitecture(t) || s.vocab() != sourceVocab || t.vocab() != sourceId.length) {
            throw new IllegalArgumentException("cannot map a model of " + s.describe() + " and vocabulary " + s.vocab()
                    + " onto one of " + t.describe() + " and vocabulary " + t.vocab());
        }
        List<Layer> from = PretrainedWeights.lstms(source), to = PretrainedWeights.lstms(target);
        for (int i = 0; i < from.size(); i++) {
            for (String p : from.get(i).paramTable().keySet()) {
                to.get(i).getParam(p).assign(from.get(i).getParam(p));
            }
        }
        // the embedding is [vocab, emb]: one row per token
        INDArray emb = source.getLayer(0).getParam("W");
        target.getLayer(0).getParam("W").assign(Nd4j.create(mapRows(emb.toFloatMatrix())));
        // the output layer's W is [emb, vocab]: one column per token; its bias one value per token
        Layer srcOut = source.getLayer(source.getnLayers() - 1), dstOut = target.getLayer(target.getnLayers() - 1);
        INDArray w = srcOut.getParam("W");
        dstOut.getParam("W").assign(Nd4j.create(mapRows(w.transpose().toFloatMatrix())).transpose());
        INDArray b = srcOut.getParam("b");
        INDArray mapped = Nd4j.create(mapRows(b.reshape(b.length(), 1).toFloatMatrix()));
        dstOut.getParam("b").assign(mapped.reshape(dstOut.getParam("b").shape()));
    }

    /** Rows of the target vocabulary from {@code rows} (one per source token): copied, or the mean row. */
    float[][] mapRows(float[][] rows) {
        int width = rows[0].length;
        double[] sum = new double[width];
        for (float[] r : rows) {
            for (int j = 0; j < width; j++) {
                sum[j] += r[j];
            }
        }
        float[] mean = new float[width];
        for (int j = 0; j < width; j++) {
            mean[j] = (float) (sum[j] / rows.length);
        }
        float[][] out = new float[sourceId.length][];
        for (int t = 0; t < out.length; t++) {
            out[t] = (sourceId[t] >= 0 ? rows[sourceId[t]] : mean).clone();
        }
        return out;
    }
}
