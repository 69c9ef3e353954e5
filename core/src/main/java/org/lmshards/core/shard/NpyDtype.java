package org.lmshards.core.shard;

/**
 * The NumPy element types lmshards reads or writes, each with its {@code .npy} descr
 * (little-endian), item size and NumPy name: the one table that maps a dtype to bytes.
 * Token shards use {@link #UINT16} or {@link #INT32} (see {@link TokenDtype}), document indexes
 * {@link #INT64} ({@link ShardLayout#DOCS_DTYPE}); the float types are the trainer's {@code .npz}
 * weights.
 */
public enum NpyDtype {
    UINT16("<u2", 2, "uint16"),
    INT32("<i4", 4, "int32"),
    INT64("<i8", 8, "int64"),
    FLOAT32("<f4", 4, "float32"),
    FLOAT64("<f8", 8, "float64");

    private final String descr;
    private final int itemSize;
    private final String numpyName;

    NpyDtype(String descr, int itemSize, String numpyName) {
        this.descr = descr;
        this.itemSize = itemSize;
        this.numpyName = numpyName;
    }

    /** The dtype with this {@code .npy} descr, or null. */
    public static NpyDtype fromDescr(String descr) {
        for (NpyDtype t : values()) {
            if (t.descr.equals(descr)) {
                return t;
            }
        }
        return null;
    }

    /** The {@code .npy} header's descr, e.g. {@code "<u2"}. */
    public String descr() {
        return descr;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** NumPy's name, e.g. {@code "uint16"}: also the dtype names of meta.json. */
    public String numpyName() {
        return numpyName;
    }

    /** Bytes of {@code length} elements. */
    public long bytes(long length) {
        return itemSize * length;
    }
}
