package org.lmshards.core.tokenize;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * spaCy English behaviour of the splitter on its own (before fastai's rules). Expected tokens
 * follow from spaCy's tokenizer algorithm and its English rules ({@code spacy/lang/punctuation.py},
 * {@code spacy/lang/en/punctuation.py}, {@code spacy/lang/en/tokenizer_exceptions.py}).
 */
class EnglishWordSplitterTest {
    private static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        new EnglishWordSplitter().split(text, out::add);
        return out;
    }

    @Test
    void fastaiSpacyTokenizerExample() {
        // nbs/30_text.core.ipynb: SpacyTokenizer()(["This isn't the easiest text."])
        assertThat(split("This isn't the easiest text.")).containsExactly("This", "is", "n't", "the", "easiest", "text", ".");
    }

    @Test
    void whitespaceBecomesTokensExceptSingleSpaces() {
        assertThat(split("a b")).containsExactly("a", "b");
        assertThat(split("a  b")).containsExactly("a", " ", "b");
        assertThat(split("a\nb")).containsExactly("a", "\n", "b");
        assertThat(split("a \n b")).containsExactly("a", "\n ", "b");
        assertThat(split("a \n \n b")).containsExactly("a", "\n \n ", "b");
        assertThat(split(" a")).containsExactly(" ", "a");
        assertThat(split("a ")).containsExactly("a");
        assertThat(split("a  ")).containsExactly("a", " ");
        assertThat(split("a\t")).containsExactly("a", "\t");
        assertThat(split("")).isEmpty();
    }

    @Test
    void contractions() {
        assertThat(split("it's don't can't won't i'm you're we've they'll she'd let's cannot gonna"))
                .containsExactly("it", "'s", "do", "n't", "ca", "n't", "wo", "n't", "i", "'m", "you", "'re", "we", "'ve",
                        "they", "'ll", "she", "'d", "let", "'s", "can", "not", "gon", "na");
        // no-apostrophe forms are special cases too, except the excluded real words
        assertThat(split("dont im thats its ill well were")).containsExactly("do", "nt", "i", "m", "that", "s", "its",
                "ill", "well", "were");
        // possessive 's and a trailing apostrophe are suffixes
        assertThat(split("john's students' o'clock")).containsExactly("john", "'s", "students", "'", "o'clock");
    }

    @Test
    void abbreviationsAndSingleLetters() {
        assertThat(split("e.g. i.e. vs. a.m. Dr. Mr. U.S. u.s. n.")).containsExactly("e.g.", "i.e.", "vs.", "a.m.", "Dr.", "Mr.",
                "U.S.", "u.s", ".", "n.");
        // U.S. is no special case: two upper-case letters before the period make it a suffix
        assertThat(split("(e.g.,")).containsExactly("(", "e.g.", ",");
        assertThat(split("3pm 10a.m. 13a.m.")).containsExactly("3", "pm", "10", "a.m.", "13a.m", ".");
    }

    @Test
    void prefixesSuffixesAndPunctuation() {
        assertThat(split("(hello), \"world\"! [x]; $5 50% 10km 5+ £3 ...so")).containsExactly("(", "hello", ")", ",",
                "\"", "world", "\"", "!", "[", "x", "]", ";", "$", "5", "50", "%", "10", "km", "5", "+", "£", "3", "...",
                "so");
        assertThat(split("end.")).containsExactly("end", ".");
        assertThat(split("1990).")).containsExactly("1990", ")", ".");
        assertThat(split("dr.")).containsExactly("dr", ".");
    }

    @Test
    void infixes() {
        assertThat(split("first-class well-known 16th-century")).containsExactly("first", "-", "class", "well", "-", "known",
                "16th", "-", "century");
        assertThat(split("5-6 2.5 1,000 1990–91 a,b a:b hello...world")).containsExactly("5", "-", "6", "2.5", "1,000",
                "1990–91", "a", ",", "b", "a", ":", "b", "hello", "...", "world");
        // lower.Upper splits, lower.lower does not; hyphens between digits and letters do
        assertThat(split("end.The bar.com 3-d")).containsExactly("end", ".", "The", "bar.com", "3", "-", "d");
        // a URL is not split at its infixes
        assertThat(split("www.foo-bar.com foo-bar")).containsExactly("www.foo-bar.com", "foo", "-", "bar");
    }

    @Test
    void fastaiSpecialTokensStayWhole() {
        assertThat(split("xxbos xxmaj xxunk xxrep 3 a")).containsExactly("xxbos", "xxmaj", "xxunk", "xxrep", "3", "a");
    }
}
