package org.lmshards.trainer.interop;

import org.lmshards.trainer.model.LmHyperParams;

/**
 * The architecture of a language model: what must agree for weights to move from one model to
 * another (the vocabulary may differ, see {@link org.lmshards.trainer.finetune.EmbeddingMatch}).
 */
public record ModelShape(int vocab, int emb, int hidden, int layers) {
    public static ModelShape of(LmHyperParams hp) {
        // hidden is unused with one layer: normalised so that it never decides a mismatch
        return new ModelShape(hp.vocabSize(), hp.emb(), hp.layers() == 1 ? hp.emb() : hp.hidden(), hp.layers());
    }

    /** Output size of LSTM layer {@code i}, as {@link LmHyperParams#lstmSize}. */
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
