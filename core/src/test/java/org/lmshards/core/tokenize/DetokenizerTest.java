package org.lmshards.core.tokenize;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DetokenizerTest {
    private static final FastaiTokenizer TOK = FastaiTokenizer.defaults();

    private static String roundTrip(String text) {
        return Detokenizer.detokenize(TOK.tokenize(text));
    }

    @Test
    void roundTripsTypicalText() {
        String[] texts = {
            "The U.S. Census Bureau's estimate isn't final (about 12%), he said.",
            "It was a first-class ship; she didn't sink!",
            "NASA and the BBC reported it.",
            "Jeremy Howard wrote fastai in 2018.",
        };
        for (String t : texts) {
            assertThat(roundTrip(t)).isEqualTo(t);
        }
    }

    @Test
    void undoesRepetitionsAndCase() {
        assertThat(Detokenizer.detokenize(List.of("xxbos", "xxmaj", "so", "xxup", "loud", "xxrep", "4", "!")))
                .isEqualTo("So LOUD!!!!");
        assertThat(roundTrip("Wow aaaaah no no no no way")).isEqualTo("Wow aaaaah no no no no way");
        assertThat(roundTrip("hmmmm 1000 years, yes!!!")).isEqualTo("hmmmm 1000 years, yes!!!");
        assertThat(Detokenizer.detokenize(List.of("xxwrep", "3", "ah", "xxpad", "xxfake", "xxeos"))).isEqualTo("ah ah ah");
    }

    @Test
    void wikitextStyleTextReadsNaturally() {
        // WikiText's spaced punctuation comes back glued; the paragraph break is kept
        assertThat(roundTrip(" = Homarus gammarus = \n \n It weighs 0 @.@ 7 kg ( 1 @,@ 500 g ) , see \" lobster \" . "))
                .isEqualTo("= Homarus gammarus =\n \n It weighs 0.7 kg (1,500 g), see \" lobster \".");
    }

    @Test
    void caseMarkersBeforeASpecialTokenAreDroppedNotApplied() {
        // a model can emit xxmaj/xxup before any token; "Xxunk" or "XXBOS" must never be printed
        assertThat(Detokenizer.detokenize(List.of("the", "xxmaj", "xxunk", "was"))).isEqualTo("the xxunk was");
        assertThat(Detokenizer.detokenize(List.of("xxup", "xxunk", "xxmaj", "xxbos", "xxmaj", "xxpad", "it")))
                .isEqualTo("xxunk it");
        assertThat(Detokenizer.detokenize(List.of("xxmaj", "xxmaj", "so"))).isEqualTo("So");
        assertThat(Detokenizer.detokenize(List.of("xxup", "xxmaj", "so"))).isEqualTo("So");
        assertThat(Detokenizer.detokenize(List.of("xxmaj", "xxrep", "3", "a"))).isEqualTo("aaa");
        assertThat(Detokenizer.detokenize(List.of("xxmaj", "xxfake", "xxup", "xxeos"))).isEmpty();
        // words that merely start with "xx" are words
        assertThat(Detokenizer.detokenize(List.of("xxmaj", "xxl", "xxup", "xxs"))).isEqualTo("Xxl XXS");
    }

    @Test
    void incompleteMarkersDoNotThrow() {
        assertThat(Detokenizer.detokenize(List.of("a", "xxmaj"))).isEqualTo("a");
        assertThat(Detokenizer.detokenize(List.of("xxrep", "x", "y"))).isEqualTo("xxrep x y");
        assertThat(Detokenizer.detokenize(List.of())).isEmpty();
    }
}
