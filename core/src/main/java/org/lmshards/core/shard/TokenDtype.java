package org.lmshards.core.shard;

/** Element type of the token shards: {@code uint16} for vocabularies of at most 65 536 entries, else {@code int32}. */
public enum TokenDtype {
    UINT16("<u2", 2, "uint16"),
    INT32("<i4", 4, "int32");

    /** Largest vocabulary whose ids all fit in {@code uint16}. */
    public static final int MAX_UINT16_VOCAB = 65_536;

    private final String descr;
    private final int bytes;
    private final String metaName;

    TokenDtype(String descr, int bytes, String metaName) {
        this.descr = descr;
        this.bytes = bytes;
        this.metaName = metaName;
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
            if (t.descr.equals(descr)) {
                return t;
            }
        }
        return null;
    }

    /** The dtype with this {@code meta.json} name, or null. */
    public static TokenDtype fromMetaName(String name) {
        for (TokenDtype t : values()) {
            if (t.metaName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** NumPy descr: {@code "<u2"} or {@code "<i4"}. */
    public String descr() {
        return descr;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Name in {@code meta.json}: {@code "uint16"} or {@code "int32"}. */
    public String metaName() {
        return metaName;
    }
}
