package org.lmshards.core.shard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyArrayWriterTest {

    @Test
    void writesA64ByteAlignedVersion1HeaderAndLittleEndianData() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyArrayWriter w = new NpyArrayWriter(out, NpyDtype.UINT16, 3);
        w.writeInt(1);
        w.writeInts(new int[] {9, 65535, 7}, 1, 2);
        w.close();
        byte[] b = out.toByteArray();
        assertThat(b).hasSize(128 + 6);
        assertThat(new String(b, 0, 8, StandardCharsets.ISO_8859_1)).isEqualTo("\u0093NUMPY\u0001\u0000");
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bb.getShort(8)).isEqualTo((short) 118);
        String header = new String(b, 10, 118, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }").endsWith(" \n");
        assertThat(bb.getShort(128)).isEqualTo((short) 1);
        assertThat(bb.getShort(130) & 0xffff).isEqualTo(65535);
        assertThat(bb.getShort(132)).isEqualTo((short) 7);
        CRC32C crc = new CRC32C();
        crc.update(b);
        assertThat(w.crc32c()).isEqualTo(crc.getValue());
        assertThat(NpyArrayWriter.fileSize(NpyDtype.UINT16, 3)).isEqualTo(b.length);
    }

    @Test
    void int32AndInt64() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (NpyArrayWriter w = new NpyArrayWriter(out, TokenDtype.INT32, 2)) {
            w.writeInt(-5);
            w.writeLong(1L << 30);
        }
        ByteBuffer bb = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bb.getInt(128)).isEqualTo(-5);
        assertThat(bb.getInt(132)).isEqualTo(1 << 30);

        out.reset();
        try (NpyArrayWriter w = new NpyArrayWriter(out, NpyDtype.INT64, 1)) {
            w.writeLong(1L << 40);
        }
        assertThat(ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getLong(128)).isEqualTo(1L << 40);
    }

    @Test
    void largeArraysStreamThroughTheBuffer() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 100_000;
        try (NpyArrayWriter w = new NpyArrayWriter(out, NpyDtype.INT32, n)) {
            for (int i = 0; i < n; i++) {
                w.writeInt(i);
            }
        }
        ByteBuffer bb = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bb.capacity()).isEqualTo(128 + 4 * n);
        assertThat(bb.getInt(128 + 4 * (n - 1))).isEqualTo(n - 1);
    }

    @Test
    void preEncodedBytesGiveTheSameFileAndChecksumAsValuesWrittenOneByOne() throws IOException {
        int n = 50_000;   // past the 64 KiB buffer, so that both the buffered and the direct path run
        int[] values = new java.util.Random(7).ints(n, 0, 65_536).toArray();
        ByteBuffer encoded = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            encoded.putShort((short) v);
        }
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        NpyArrayWriter byValue = new NpyArrayWriter(one, NpyDtype.UINT16, n);
        byValue.writeInts(values, 0, n);
        byValue.close();
        ByteArrayOutputStream bulk = new ByteArrayOutputStream();
        NpyArrayWriter byBytes = new NpyArrayWriter(bulk, NpyDtype.UINT16, n);
        byBytes.writeInt(values[0]);
        byBytes.writeEncoded(encoded.array(), 2, 2 * 99);            // fits the buffer
        byBytes.writeEncoded(encoded.array(), 200, 2 * (n - 100));   // larger than the buffer
        byBytes.close();
        assertThat(bulk.toByteArray()).isEqualTo(one.toByteArray());
        assertThat(byBytes.crc32c()).isEqualTo(byValue.crc32c());

        NpyArrayWriter odd = new NpyArrayWriter(new ByteArrayOutputStream(), NpyDtype.INT32, 2);
        assertThatThrownBy(() -> odd.writeEncoded(new byte[6], 0, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a whole number of <i4 items");
        assertThatThrownBy(() -> odd.writeEncoded(new byte[12], 0, 12)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("too many values");
    }

    @Test
    void failsOnTooFewOrTooManyValuesAndOutOfRangeValues() throws IOException {
        NpyArrayWriter few = new NpyArrayWriter(new ByteArrayOutputStream(), NpyDtype.UINT16, 2);
        few.writeInt(1);
        assertThatThrownBy(few::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("too few values");

        NpyArrayWriter many = new NpyArrayWriter(new ByteArrayOutputStream(), NpyDtype.UINT16, 1);
        many.writeInt(1);
        assertThatThrownBy(() -> many.writeInt(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("too many values");

        NpyArrayWriter range = new NpyArrayWriter(new ByteArrayOutputStream(), NpyDtype.UINT16, 2);
        assertThatThrownBy(() -> range.writeInt(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> range.writeInt(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NpyArrayWriter(new ByteArrayOutputStream(), NpyDtype.FLOAT32, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NpyArrayWriter(new ByteArrayOutputStream(), NpyDtype.UINT16, 1).crc32c())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void dtypeForVocabularySize() {
        assertThat(TokenDtype.forVocabSize(16)).isEqualTo(TokenDtype.UINT16);
        assertThat(TokenDtype.forVocabSize(65_536)).isEqualTo(TokenDtype.UINT16);
        assertThat(TokenDtype.forVocabSize(65_537)).isEqualTo(TokenDtype.INT32);
        assertThat(TokenDtype.UINT16.descr()).isEqualTo("<u2");
        assertThat(TokenDtype.INT32.metaName()).isEqualTo("int32");
        assertThat(TokenDtype.INT32.bytes()).isEqualTo(4);
        assertThat(ShardLayout.tokensFile(3)).isEqualTo("tokens-00003.npy");
        assertThat(ShardLayout.docsFile(123456)).isEqualTo("docs-123456.npy");
    }
}
