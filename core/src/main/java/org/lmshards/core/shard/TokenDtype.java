package org.lmshards.core.shard;

/**
 * Element type of the token shards: {@code uint16} for vocabularies of at most 65 536 entries,
 * else {@code int32}. Its descr and size come from its {@link NpyDtype}.
 */
public enum TokenDtype {
    UINT16(NpyDtype.UINT16),
    INT32(NpyDtype.INT32);

    /** Largest vocabulary whose ids all fit in {@code uint16}. */
    public static final int MAX_UINT16_VOCAB = 65_536;

    private final NpyDtype npy;

    TokenDtype(NpyDtype npy) {
        this.npy = npy;
    }

    /** The dtype FORMAT.md prescribes for a vocabulary of {@code size} entries. */
    public static TokenDtype forVocabSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive: " + size);
        }
        return size <= MAX_UINT16_VOCAB ? UINT16 : INT32;
    }

    /** The dtype with this {@code .npy} descr, or null. */
    public static TokenDtype fromDescr(String descr) {
        for (TokenDtype t : values()) {
            if (t.npy.descr().equals(descr)) {
                return t;
            }
        }
        return null;
    }

    /** The dtype with this {@code meta.json} name, or null. */
    public static TokenDtype fromMetaName(String name) {
        for (TokenDtype t : values()) {
            if (t.npy.numpyName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** NumPy descr: {@code "<u2"} or {@code "<i4"}. */
    public String descr() {
        return npy.descr();
    }

    /** Bytes per element. */
    public int bytes() {
        return npy.itemSize();
    }

    /** Name in {@code meta.json}: {@code "uint16"} or {@code "int32"}. */
    public String metaName() {
        return npy.numpyName();
    }

    /** The {@code .npy} element type of the shards. */
    public NpyDtype npy() {
        return npy;
    }
}
