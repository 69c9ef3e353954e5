package org.lmshards.trainer.interop;

/**
 * The architecture of a language model: what must agree for weights to move from one model to
 * another (the vocabulary may differ, see {@link org.lmshards.trainer.finetune.EmbeddingMatch}).
 */
public record ModelShape(int vocab, int emb, int hidden, int layers) {
    /** Output size of LSTM layer {@code i}, as {@code LmHyperParams.lstmSize}. */
    public int lstmSize(int i) {
        return i == layers - 1 ? emb : hidden;
    }

    public int lstmInputSize(int i) {
        return i == 0 ? emb : lstmSize(i - 1);
    }

    /** Whether the LSTM stack (emb, hidden, layers) is the same; the vocabulary is not compared. */
    public boolean sameArchitecture(ModelShape o) {
        return emb == o.emb && hidden == o.hidden && layers == o.layers;
    }

    /** {@code "emb 32, hidden 128, layers 2"}. */
    public String describe() {
        return "emb " + emb + ", hidden " + hidden + ", layers " + layers;
    }
}
