package org.lmshards.core.tokenize;

import java.util.List;

/** fastai's special tokens, in fastai's order (their position is their id in every vocabulary). */
public final class SpecialTokens {
    public static final String UNK = "xxunk", PAD = "xxpad", BOS = "xxbos", EOS = "xxeos", FLD = "xxfld",
            REP = "xxrep", WREP = "xxwrep", UP = "xxup", MAJ = "xxmaj", FAKE = "xxfake";

    /** UNK, PAD, BOS, EOS, FLD, REP, WREP, UP, MAJ (fastai's {@code defaults.text_spec_tok}). */
    public static final List<String> ALL = List.of(UNK, PAD, BOS, EOS, FLD, REP, WREP, UP, MAJ);

    private SpecialTokens() {
    }
}
