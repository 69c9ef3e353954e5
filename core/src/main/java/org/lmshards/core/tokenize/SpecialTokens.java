package org.lmshards.core.tokenize;

import java.util.List;

/**
 * fastai's special tokens, in fastai's order ({@code defaults.text_spec_tok} in
 * {@code fastai/text/core.py}). The vocabulary puts {@link #ALL} first, in this order.
 */
public final class SpecialTokens {
    public static final String UNK = "xxunk", PAD = "xxpad", BOS = "xxbos", EOS = "xxeos", FLD = "xxfld",
            REP = "xxrep", WREP = "xxwrep", UP = "xxup", MAJ = "xxmaj", FAKE = "xxfake";

    /** UNK, PAD, BOS, EOS, FLD, REP, WREP, UP, MAJ ({@link #FAKE} is vocabulary padding, not listed). */
    public static final List<String> ALL = List.of(UNK, PAD, BOS, EOS, FLD, REP, WREP, UP, MAJ);

    private SpecialTokens() {
    }
}
