package org.lmshards.spark.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lmshards.core.shard.NpyArrayWriter;
import org.lmshards.core.shard.NpyHeader;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.SparkTestSupport;

/** Documents of a WikiText-tiny block written as ids, against {@link Vocabulary#encode} of core's tokens. */
class BlockNumericalizerTest {
    private static final FastaiTokenizer TOK = FastaiTokenizer.defaults();
    private static List<String> docs;
    private static TokenBlock block;
    private static Vocabulary vocab;

    @BeforeAll
    static void load() throws IOException {
        docs = new ArrayList<>(SparkTestSupport.column0(TestData.wikitextTiny().resolve("train.csv")));
        BlockEncoder encoder = new BlockEncoder(TOK, 1 << 10);
        int[] ends = new int[docs.size()];
        Map<String, Long> counts = new HashMap<>();
        for (int d = 0; d < docs.size(); d++) {
            encoder.add(docs.get(d));
            ends[d] = encoder.size();
            TOK.tokenize(docs.get(d), t -> counts.merge(t, 1L, Long::sum));
        }
        block = new TokenBlock(encoder.strings(), encoder.counts(), new int[docs.size()],
                java.util.stream.LongStream.range(0, docs.size()).toArray(), ends, encoder.ids(), org.lmshards.spark.csv.RejectBatch.NONE);
        // a small vocabulary, so that many tokens are xxunk
        vocab = Vocabulary.build(counts, 5, 2000);
    }

    @Test
    void writesTheVocabularyIdsOfARangeOfDocuments() throws IOException {
        for (TokenDtype dtype : new TokenDtype[] {TokenDtype.UINT16, TokenDtype.INT32}) {
            BlockNumericalizer n = new BlockNumericalizer(new Utf8Vocabulary(vocab), dtype);
            // two ranges of the same block in one task (the map is reused), then the whole block
            for (int[] range : new int[][] {{10, 40}, {40, 100}, {0, 100}, {7, 7}}) {
                List<String> tokens = new ArrayList<>();
                for (int d = range[0]; d < range[1]; d++) {
                    tokens.addAll(TOK.tokenize(docs.get(d)));
                }
                int[] want = vocab.encode(tokens);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                long unknown;
                try (NpyArrayWriter w = new NpyArrayWriter(out, dtype, want.length)) {
                    unknown = n.write(block, range[0], range[1], w);
                }
                assertThat(read(out.toByteArray(), dtype, want.length)).as("%s %s", dtype, java.util.Arrays.toString(range)).isEqualTo(want);
                assertThat(unknown).isEqualTo(java.util.Arrays.stream(want).filter(id -> id == 0).count());
                if (want.length > 0) {
                    assertThat(unknown).as("xxunk in a 2000-token vocabulary").isPositive().isLessThan(want.length);
                }
            }
        }
    }

    private static int[] read(byte[] npy, TokenDtype dtype, int length) {
        int header = NpyHeader.encode(dtype.descr(), length).length;
        ByteBuffer b = ByteBuffer.wrap(npy, header, npy.length - header).order(ByteOrder.LITTLE_ENDIAN);
        int[] ids = new int[(npy.length - header) / dtype.bytes()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = dtype == TokenDtype.UINT16 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        }
        return ids;
    }
}
