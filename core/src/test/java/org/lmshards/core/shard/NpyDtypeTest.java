package org.lmshards.core.shard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The dtype table is part of the on-disk format: these names and sizes must never change. */
class NpyDtypeTest {
    @Test
    void descrsAndItemSizesAreNumpys() {
        assertThat(NpyDtype.UINT16.descr()).isEqualTo("<u2");
        assertThat(NpyDtype.INT32.descr()).isEqualTo("<i4");
        assertThat(NpyDtype.INT64.descr()).isEqualTo("<i8");
        assertThat(NpyDtype.FLOAT32.descr()).isEqualTo("<f4");
        assertThat(NpyDtype.FLOAT64.descr()).isEqualTo("<f8");
        assertThat(NpyDtype.UINT16.itemSize()).isEqualTo(2);
        assertThat(NpyDtype.INT32.itemSize()).isEqualTo(4);
        assertThat(NpyDtype.INT64.itemSize()).isEqualTo(8);
        assertThat(NpyDtype.FLOAT32.itemSize()).isEqualTo(4);
        assertThat(NpyDtype.FLOAT64.itemSize()).isEqualTo(8);
        assertThat(NpyDtype.INT64.numpyName()).isEqualTo("int64");
        assertThat(NpyDtype.INT64.bytes(3)).isEqualTo(24);
    }

    @Test
    void looksUpByDescr() {
        for (NpyDtype t : NpyDtype.values()) {
            assertThat(NpyDtype.fromDescr(t.descr())).isSameAs(t);
        }
        assertThat(NpyDtype.fromDescr(">u2")).isNull();
        assertThat(NpyDtype.fromDescr("|O")).isNull();
    }

    @Test
    void tokenDtypesAndTheDocumentIndexUseTheTable() {
        assertThat(TokenDtype.UINT16.npy()).isSameAs(NpyDtype.UINT16);
        assertThat(TokenDtype.INT32.npy()).isSameAs(NpyDtype.INT32);
        assertThat(TokenDtype.INT32.metaName()).isEqualTo("int32");
        assertThat(ShardLayout.DOCS_DTYPE).isSameAs(NpyDtype.INT64);
    }
}
