package org.lmshards.spark.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.SparkTestSupport;

/** Lookups by UTF-8 bytes against {@link Vocabulary#id(String)} on WikiText-tiny's tokens. */
class Utf8VocabularyTest {

    @Test
    void givesTheVocabularysIdForEveryTokenKnownOrNot() throws IOException {
        FastaiTokenizer tok = FastaiTokenizer.defaults();
        Map<String, Long> counts = new HashMap<>();
        Set<String> tokens = new LinkedHashSet<>();
        for (String doc : SparkTestSupport.column0(TestData.wikitextTiny().resolve("train.csv"))) {
            tok.tokenize(doc, t -> {
                counts.merge(t, 1L, Long::sum);
                tokens.add(t);
            });
        }
        for (String doc : SparkTestSupport.column0(TestData.wikitextTiny().resolve("test.csv"))) {
            tok.tokenize(doc, tokens::add);   // valid tokens: many are not in the vocabulary
        }
        // max_vocab 1001 leaves padding (xxfake) at the end, which must look up as 0 like in Vocabulary
        for (Vocabulary vocab : List.of(Vocabulary.build(counts, 3, 60000), Vocabulary.build(counts, 2, 1001))) {
            Utf8Vocabulary bytes = new Utf8Vocabulary(vocab);
            List<String> probes = new ArrayList<>(tokens);
            probes.addAll(vocab.itos());
            probes.addAll(List.of("", "xxfake", "xxunk", "café", "naïve", "東京", "\uD83D\uDE00"));
            int known = 0;
            for (String t : probes) {
                byte[] b = ("<" + t + ">").getBytes(StandardCharsets.UTF_8);
                int want = vocab.id(t);
                assertThat(bytes.id(b, 1, b.length - 2)).as(t).isEqualTo(want);
                known += want != 0 ? 1 : 0;
            }
            assertThat(known).as("tokens found").isGreaterThan(1000);
            assertThat(probes.size() - known).as("tokens not found").isGreaterThan(1000);
        }
    }
}
