package org.lmshards.spark.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.spark.SparkTestSupport;

/** The encoder's ids, counts and strings against a token-by-token reference over core's plain tokenizer. */
class BlockEncoderTest {
    private static final FastaiTokenizer TOK = FastaiTokenizer.defaults();
    private static List<String> docs;

    @BeforeAll
    static void load() throws IOException {
        docs = new ArrayList<>(SparkTestSupport.column0(TestData.wikitextTiny().resolve("train.csv")));
        docs.addAll(SparkTestSupport.column0(TestData.wikitextTiny().resolve("test.csv")));
        assertThat(docs).hasSize(120);
    }

    @Test
    void memoizedChunksGiveTheIdsOfATokenByTokenLookup() {
        assertEncodesLikeTheReference(new BlockEncoder(TOK, 1 << 10));
    }

    @Test
    void aFullMemoAndATinyIdArrayChangeNothing() {
        // 64 chunks fill the memo in the first document; the id array grows many times
        assertEncodesLikeTheReference(new BlockEncoder(TOK, 16, 64));
        assertEncodesLikeTheReference(new BlockEncoder(TOK, 1, 0));
    }

    @Test
    void aMemoReusedFromThePreviousBlockForgetsItsIds() {
        // a task's blocks share one memo: a chunk's ids from block 1 must not leak into block 2,
        // whose table numbers tokens afresh (the documents in reverse order number them differently)
        ChunkIdMemo memo = new ChunkIdMemo(1 << 17);
        BlockEncoder first = new BlockEncoder(TOK, 1 << 10, memo);
        List<String> reversed = new ArrayList<>(docs);
        Collections.reverse(reversed);
        reversed.forEach(first::add);
        assertThat(memo.size()).isGreaterThan(10_000);
        assertEncodesLikeTheReference(new BlockEncoder(TOK, 1 << 10, memo));
    }

    private static void assertEncodesLikeTheReference(BlockEncoder encoder) {
        TokenTable reference = new TokenTable();
        List<Integer> want = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        List<Integer> gotEnds = new ArrayList<>();
        for (String d : docs) {
            TOK.tokenize(d, t -> want.add(reference.id(t)));
            ends.add(want.size());
            encoder.add(d);
            gotEnds.add(encoder.size());
        }
        assertThat(gotEnds).isEqualTo(ends);
        int[] ids = encoder.ids();
        assertThat(ids).isEqualTo(want.stream().mapToInt(Integer::intValue).toArray());
        assertThat(encoder.strings().toArray()).isEqualTo(reference.toArray());
        int[] counts = new int[reference.size()];
        want.forEach(id -> counts[id]++);
        assertThat(encoder.counts()).isEqualTo(counts);
        assertThat(ids.length).as("WikiText-tiny's 120 articles").isGreaterThan(500_000);
    }
}
