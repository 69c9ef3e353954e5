package org.lmshards.core.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole pipeline: fastai's documented examples, golden WikiText lines (real lines of
 * wikitext-tiny's train.csv, expected tokens worked out by hand from fastai's rules and spaCy's
 * English tokenizer rules) and properties over every train.csv document.
 */
class FastaiTokenizerTest {
    private static final FastaiTokenizer TOK = FastaiTokenizer.defaults();
    private static List<String> docs;
    private static List<List<String>> expected;

    @BeforeAll
    static void load() throws Exception {
        docs = WikiTextCsv.trainDocuments();
        assertThat(docs).hasSize(100);
        expected = new ArrayList<>();
        for (String d : docs) {
            expected.add(TOK.tokenize(d));
        }
    }

    private static List<String> toks(String s) {
        return List.of(s.split(" \\| "));
    }

    /** The line of train.csv that starts with {@code start}; fails when there is none. */
    private static String realLine(String start) {
        for (String d : docs) {
            for (String line : d.split("\n")) {
                if (line.startsWith(start)) {
                    return line;
                }
            }
        }
        throw new AssertionError("no train.csv line starts with: " + start);
    }

    /** The text of a train.csv line from {@code start} up to and including the first {@code end}. */
    private static String realText(String start, String end) {
        String line = realLine(start);
        int e = line.indexOf(end);
        assertThat(e).as("end marker in line").isGreaterThan(0);
        return line.substring(0, e + end.length());
    }

    @Test
    void fastaiDocumentedExamples() {
        // nbs/30_text.core.ipynb: tokenize1("This isn't a problem", SpacyTokenizer())
        assertThat(TOK.tokenize("This isn't a problem")).containsExactly("xxbos", "xxmaj", "this", "is", "n't", "a", "problem");
        // same notebook, TokenizeWithRules(SpacyTokenizer()) on the same text
        assertThat(TOK.tokenize("This isn't a problem")).first().isEqualTo(SpecialTokens.BOS);
    }

    @Test
    void wikitextLineWithCapsPossessiveAndHyphen() {
        String line = realLine(" On September 21 , 2010 , Paramount Home Entertainment released American Beauty on Blu");
        assertThat(TOK.tokenize(line)).containsExactlyElementsOf(toks("xxbos | xxmaj | on | xxmaj | september | 21 | , | 2010 | , "
                + "| xxmaj | paramount | xxmaj | home | xxmaj | entertainment | released | xxmaj | american | xxmaj | beauty | on "
                + "| xxmaj | blu | - | ray | , | as | part | of | xxmaj | paramount | 's | xxunk | xxmaj | series | . | xxmaj "
                + "| all | the | extras | from | the | xxup | dvd | release | were | present | , | with | the | theatrical "
                + "| trailers | upgraded | to | xxup | hd | ."));
    }

    @Test
    void wikitextLineWithNumbersUnitsAndDashes() {
        String line = realText(" Homarus gammarus is a large <unk> , with a body length up to 60 centimetres", "4 @.@ 9 lb ) .");
        assertThat(TOK.tokenize(line)).containsExactlyElementsOf(toks("xxbos | xxmaj | homarus | gammarus | is | a | large | xxunk "
                + "| , | with | a | body | length | up | to | 60 | centimetres | ( | 24 | in | ) | and | weighing | up | to | 5 "
                + "| – | 6 | kilograms | ( | 11 | – | 13 | lb | ) | , | although | the | lobsters | caught | in | lobster | pots "
                + "| are | usually | 23 | – | 38 | cm | ( | 9 | – | 15 | in | ) | long | and | weigh | 0.7 | – | 2.2 | kg | ( "
                + "| 1.5 | – | 4.9 | lb | ) | ."));
    }

    @Test
    void wikitextLineWithAbbreviationAndEmDash() {
        // "St." is lower-cased to "st." before splitting, and "st." is no special case: "st" "."
        String line = realLine(" 9 West End Historic District — roughly bounded by 7th St , 28th");
        assertThat(TOK.tokenize(line)).containsExactlyElementsOf(toks("xxbos | 9 | xxmaj | west | xxmaj | end | xxmaj | historic "
                + "| xxmaj | district | — | roughly | bounded | by | 7th | xxmaj | st | , | 28th | xxunk | , | xxmaj | shearer "
                + "| 's | xxmaj | branch | , | and | 5th | xxmaj | st | ."));
    }

    @Test
    void wikitextLineWithQuotesAndStrayApostrophe() {
        // "WrestleMania" has a second capital: neither xxup nor xxmaj; "'t" splits into "'" "t"
        String line = realLine(" \" Tell Me You <unk> 't Just Say That \" Moment of the Year");
        assertThat(TOK.tokenize(line)).containsExactlyElementsOf(toks("xxbos | \" | xxmaj | tell | xxmaj | me | xxmaj | you | xxunk "
                + "| ' | t | xxmaj | just | xxmaj | say | xxmaj | that | \" | xxmaj | moment | of | the | xxmaj | year | ( | 2015 "
                + "| ) | – | xxunk | \" | xxunk | xxmaj | city | \" | at | wrestlemania | 31"));
    }

    @Test
    void wikitextArticleStartKeepsNewlinesAsTokens() {
        String doc = docs.get(0);
        assertThat(doc).startsWith(" \n = Homarus gammarus = \n \n Homarus gammarus , known as the European lobster");
        List<String> t = TOK.tokenize(doc);
        // lowercase() strips the leading " \n "; the blank line between heading and text is one token,
        // "\n \n " with replace_space's '▁' for each space
        assertThat(t.subList(0, 14)).containsExactly("xxbos", "=", "xxmaj", "homarus", "gammarus", "=", "\n\u2581\n\u2581",
                "xxmaj", "homarus", "gammarus", ",", "known", "as", "the");
    }

    @Test
    void constructedTextWithThousandsCurrencyAndContraction() {
        assertThat(TOK.tokenize("The population was 1 @,@ 234 ; the U.S. Census Bureau's estimate is $ 5 @.@ 5 million "
                + "( 12 % ) and it wasn't \"OK\". 1000 years"))
                .containsExactlyElementsOf(toks("xxbos | xxmaj | the | population | was | 1,234 | ; | the | xxup | u.s | . "
                        + "| xxmaj | census | xxmaj | bureau | 's | estimate | is | $ | 5.5 | million | ( | 12 | % | ) | and | it "
                        + "| was | n't | \" | ok | \" | . | 1 | xxrep | 3 | 0 | years"));
    }

    @Test
    void emptyAndBlankDocumentsAreJustBos() {
        assertThat(TOK.tokenize("")).containsExactly("xxbos");
        assertThat(TOK.tokenize(" \n\t ")).containsExactly("xxbos");
    }

    @Test
    void everyTrainDocumentTokenizesCleanly() {
        long tokens = 0;
        for (int i = 0; i < docs.size(); i++) {
            String d = docs.get(i);
            List<String> t = expected.get(i);
            assertThat(t.get(0)).isEqualTo("xxbos");
            for (int j = 0; j < t.size(); j++) {
                String tok = t.get(j);
                if (tok.isEmpty() || tok.indexOf(' ') >= 0 || (j > 0 && tok.equals("xxbos"))) {
                    throw new AssertionError("document " + i + ", token " + j + ": bad token [" + tok + "]");
                }
            }
            if (i % 10 == 0) { // the sink variant gives the same tokens (a sample keeps the test fast)
                List<String> viaSink = new ArrayList<>();
                TOK.tokenize(d, viaSink::add);
                assertThat(viaSink).isEqualTo(t);
            }
            tokens += t.size();
        }
        // 100 articles of WikiText: a sanity bound on the total, not an exact figure
        assertThat(tokens).isBetween(100_000L, 1_000_000L);
    }

    @Test
    void identicalResultsFromSeveralThreads() throws Exception {
        // expected was computed on the test thread; three threads, each starting at another document
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<List<String>>>> futures = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                int offset = k * 33;
                futures.add(pool.submit(() -> {
                    // 50 documents per thread, overlapping windows, so threads work on the same texts at once
                    List<List<String>> got = new ArrayList<>();
                    for (int j = 0; j < 50; j++) {
                        got.add(TOK.tokenize(docs.get((j + offset) % docs.size())));
                    }
                    return got;
                }));
            }
            for (int k = 0; k < futures.size(); k++) {
                List<List<String>> got = futures.get(k).get();
                for (int j = 0; j < got.size(); j++) {
                    assertThat(got.get(j)).isEqualTo(expected.get((j + k * 33) % docs.size()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nameAndSettings() {
        assertThat(TOK.name()).isEqualTo("fastai-default");
        assertThat(TOK.settings()).containsKeys("text_proc_rules", "text_postproc_rules", "special_tokens");
        assertThat(TOK.settings().get("special_tokens")).isEqualTo(SpecialTokens.ALL);
        assertThat(SpecialTokens.ALL).containsExactly("xxunk", "xxpad", "xxbos", "xxeos", "xxfld", "xxrep", "xxwrep", "xxup", "xxmaj");
    }
}
