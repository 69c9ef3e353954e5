package org.lmshards.core.tokenize;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lmshards.core.testing.TestData;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chunk API and the memoized tokenizer against the plain one on every WikiText-tiny article. */
class ChunkMemoTest {
    private static final FastaiTokenizer TOK = FastaiTokenizer.defaults();
    private static List<String> docs;
    private static List<List<String>> plain;

    @BeforeAll
    static void load() throws Exception {
        docs = new ArrayList<>(WikiTextCsv.trainDocuments());
        docs.addAll(WikiTextCsv.firstColumn(TestData.wikitextTiny().resolve("test.csv")));
        assertThat(docs).hasSize(120);
        plain = new ArrayList<>();
        for (String d : docs) {
            plain.add(TOK.tokenize(d));
        }
    }

    private static List<List<String>> tokenizeAll(ChunkMemo<String[]> memo) {
        List<List<String>> out = new ArrayList<>();
        for (String d : docs) {
            List<String> t = new ArrayList<>();
            TOK.tokenize(d, memo, t::add);
            out.add(t);
        }
        return out;
    }

    @Test
    void chunksSplitOneByOneGiveTheDocumentsTokens() {
        for (int i = 0; i < docs.size(); i++) {
            List<String> chunks = new ArrayList<>();
            TOK.forEachChunk(docs.get(i), chunks::add);
            List<String> tokens = new ArrayList<>();
            for (String c : chunks) {
                assertThat(c).isNotEmpty().doesNotStartWith(" ");
                TOK.splitChunk(c, tokens::add);
            }
            assertThat(tokens).as("article %d", i).isEqualTo(plain.get(i));
        }
    }

    @Test
    void memoizedTokensEqualThePlainTokenizersWhateverTheMemoSize() {
        for (int size : new int[] {ChunkMemo.DEFAULT_MAX_ENTRIES, 500, 1, 0}) {
            ChunkMemo<String[]> memo = new ChunkMemo<>(size);
            assertThat(tokenizeAll(memo)).as("memo of %d", size).isEqualTo(plain);
            assertThat(memo.size()).isLessThanOrEqualTo(size);
        }
    }

    @Test
    void repeatedChunksComeFromTheMemo() {
        ChunkMemo<String[]> memo = new ChunkMemo<>();
        List<List<String>> first = tokenizeAll(memo);
        int kept = memo.size();
        // 120 articles, about 600 k tokens, hold tens of thousands of distinct chunks, far fewer than tokens
        assertThat(kept).isBetween(10_000, 200_000);
        List<List<String>> second = tokenizeAll(memo);
        assertThat(memo.size()).as("nothing new on a second pass").isEqualTo(kept);
        assertThat(second).isEqualTo(plain);
        // the second pass hands out the very String objects of the first: they came from the memo
        int same = 0;
        int all = 0;
        for (int i = 0; i < first.size(); i++) {
            for (int j = 0; j < first.get(i).size(); j++) {
                all++;
                if (first.get(i).get(j) == second.get(i).get(j)) {
                    same++;
                }
            }
        }
        assertThat((double) same / all).isGreaterThan(0.9);
    }

    @Test
    void longChunksAndAFullMemoAreNotKept() {
        ChunkMemo<String[]> memo = new ChunkMemo<>(2);
        String longChunk = "x".repeat(ChunkMemo.MAX_CHUNK_CHARS + 1);
        memo.put(longChunk, new String[] {longChunk});
        assertThat(memo.get(longChunk)).isNull();
        memo.put("a", new String[] {"a"});
        memo.put("b", new String[] {"b"});
        memo.put("c", new String[] {"c"});
        assertThat(memo.size()).isEqualTo(2);
        assertThat(memo.get("b")).containsExactly("b");
        assertThat(memo.get("c")).isNull();
        assertThatThrownBy(() -> new ChunkMemo<String[]>(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
