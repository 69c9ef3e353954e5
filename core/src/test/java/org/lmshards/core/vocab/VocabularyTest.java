package org.lmshards.core.vocab;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ShardFormatException;
import org.lmshards.core.tokenize.SpecialTokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VocabularyTest {

    private static Map<String, Long> counts(String... tokens) {
        Map<String, Long> c = new LinkedHashMap<>();
        for (String t : tokens) {
            c.merge(t, 1L, Long::sum);
        }
        return c;
    }

    private static List<String> nonFake(Vocabulary v) {
        return v.itos().stream().filter(t -> !t.equals(SpecialTokens.FAKE)).toList();
    }

    private static List<String> specialsPlus(String... tokens) {
        List<String> l = new ArrayList<>(SpecialTokens.ALL);
        l.addAll(List.of(tokens));
        return l;
    }

    // fastai's own make_vocab examples (fastai/text/data.py): Counter(['a','a','a','a','b','b','c','c','d'])
    @Test
    void theMostCommonEntriesAreThoseOfAFullSortEvenWithManyTies() {
        // Zipf-like counts: the rare ones tie by the thousand, as in a real corpus
        Random random = new Random(11);
        List<Map.Entry<String, Long>> entries = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            long count = Math.max(1, (long) (5000.0 / (1 + random.nextInt(20_000))));
            entries.add(Map.entry(Integer.toString(random.nextInt(1 << 30), 36) + (char) ('a' + i % 26), count));
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(entries);
        sorted.sort(Vocabulary.MOST_COMMON_FIRST);
        for (int k : new int[] {1, 9, 100, 1000, 7777, 19_999, 20_000, 30_000}) {
            List<Map.Entry<String, Long>> shuffled = new ArrayList<>(entries);
            Collections.shuffle(shuffled, random);
            assertThat(Vocabulary.mostCommon(shuffled, k)).as("k=%d", k).isEqualTo(sorted.subList(0, Math.min(k, sorted.size())));
        }
        assertThat(sorted.get(7776).getValue()).as("the cut at k=7777 falls inside a tie").isEqualTo(sorted.get(7777).getValue());
    }

    @Test
    void fastaiMakeVocabExamples() {
        Map<String, Long> c = counts("a", "a", "a", "a", "b", "b", "c", "c", "d");
        Vocabulary def = Vocabulary.build(c, Vocabulary.DEFAULT_MIN_FREQ, Vocabulary.DEFAULT_MAX_VOCAB);
        assertThat(nonFake(def)).isEqualTo(specialsPlus("a"));
        assertThat(def.size() % 8).isZero();
        assertThat(nonFake(Vocabulary.build(c, 1, 60000))).isEqualTo(specialsPlus("a", "b", "c", "d"));
        // max_vocab=12: the 9 specials and the 3 most common tokens; d (the least common) drops out
        assertThat(nonFake(Vocabulary.build(c, 1, 12))).isEqualTo(specialsPlus("a", "b", "c"));
    }

    // fastai's Numericalize examples: 'This is an example of text' + 'this is another text'
    @Test
    void fastaiNumericalizeExamples() {
        Map<String, Long> c = counts("This is an example of text this is another text".split(" "));
        Vocabulary v1 = Vocabulary.build(c, 1, 60000);
        List<String> start = List.of("This is an example of text".split(" "));
        // fastai gives [11, 9, 12, 13, 14, 10]; the count-1 tokens tie and fastai orders ties by first
        // occurrence, we by code point ("another" < "example"), so 13/14 differ (FORMAT.md, Vocabulary rules)
        assertThat(v1.encode(start)).containsExactly(11, 9, 12, 14, 15, 10);
        assertThat(v1.decode(v1.encode(start), 0, 6)).isEqualTo(start);
        Vocabulary v2 = Vocabulary.build(c, 2, 60000);
        assertThat(nonFake(v2)).isEqualTo(specialsPlus("is", "text"));
        assertThat(v2.encode(start)).containsExactly(0, 9, 0, 0, 0, 10);
        assertThat(v2.decode(v2.encode(start), 0, 6))
                .containsExactly("xxunk", "is", "xxunk", "xxunk", "xxunk", "text");
    }

    @Test
    void sameCountsInAnyInsertionOrderGiveTheSameVocabulary() {
        Map<String, Long> base = new HashMap<>();
        Random r = new Random(42);
        for (int i = 0; i < 2000; i++) {
            base.put("tok" + i, (long) r.nextInt(20)); // many ties
        }
        base.put("\uFFFD", 7L);
        base.put("\uD83D\uDE00", 7L); // U+1F600 sorts after U+FFFD by code point, before it by UTF-16 unit
        Vocabulary expected = Vocabulary.build(base, 3, 500);
        List<String> keys = new ArrayList<>(base.keySet());
        for (int seed = 0; seed < 5; seed++) {
            Collections.shuffle(keys, new Random(seed));
            Map<String, Long> shuffled = new LinkedHashMap<>();
            keys.forEach(k -> shuffled.put(k, base.get(k)));
            assertThat(Vocabulary.build(shuffled, 3, 500).itos()).isEqualTo(expected.itos());
        }
        assertThat(Vocabulary.build(new TreeMap<>(base), 3, 500).itos()).isEqualTo(expected.itos());
    }

    @Test
    void tieBreakIsCountDescendingThenCodePointOrder() {
        Map<String, Long> c = new HashMap<>();
        c.put("b", 5L);
        c.put("a", 5L);
        c.put("\uD83D\uDE00", 5L);
        c.put("\uFFFD", 5L);
        c.put("Z", 5L);
        c.put("top", 9L);
        Vocabulary v = Vocabulary.build(c, 1, 100);
        assertThat(nonFake(v)).isEqualTo(specialsPlus("top", "Z", "a", "b", "\uFFFD", "\uD83D\uDE00"));
    }

    @Test
    void minFreqKeepsTokensWithCountAtLeastMinFreq() {
        Map<String, Long> c = Map.of("three", 3L, "two", 2L, "four", 4L);
        assertThat(nonFake(Vocabulary.build(c, 3, 100))).isEqualTo(specialsPlus("four", "three"));
        assertThat(nonFake(Vocabulary.build(c, 0, 100))).isEqualTo(specialsPlus("four", "three", "two"));
    }

    @Test
    void maxVocabCountsSpecialTokensLikeFastai() {
        Map<String, Long> c = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            c.put(String.format("t%02d", i), 100L - i);
        }
        // most_common(16) -> t00..t15, specials inserted -> 25, truncated to 16 -> 9 specials + t00..t06
        Vocabulary v = Vocabulary.build(c, 1, 16);
        assertThat(nonFake(v)).isEqualTo(specialsPlus("t00", "t01", "t02", "t03", "t04", "t05", "t06"));
        // 16 is a multiple of 8, so fastai's 8 - len % 8 still appends 8 xxfake: size exceeds max_vocab
        assertThat(v.size()).isEqualTo(24);
        assertThat(v.itos().subList(16, 24)).containsOnly(SpecialTokens.FAKE);
    }

    @Test
    void specialTokensInTheCountsTakeMostCommonSlotsAndAreNotDuplicated() {
        Map<String, Long> c = new HashMap<>();
        c.put("xxbos", 1000L);
        c.put("xxmaj", 900L);
        c.put("a", 50L);
        c.put("b", 40L);
        c.put("c", 30L);
        // most_common(11) = xxbos xxmaj a b c; specials moved first -> 9 + a b c = 12 -> truncated to 11
        Vocabulary v = Vocabulary.build(c, 1, 11);
        assertThat(nonFake(v)).isEqualTo(specialsPlus("a", "b"));
        assertThat(v.itos().stream().filter("xxbos"::equals)).hasSize(1);
    }

    @Test
    void paddingIsOneToEightXxfake() {
        for (int n = 0; n < 20; n++) {
            Map<String, Long> c = new HashMap<>();
            for (int i = 0; i < n; i++) {
                c.put("w" + i, 5L);
            }
            Vocabulary v = Vocabulary.build(c, 1, 1000);
            int real = 9 + n;
            assertThat(v.size()).isEqualTo(real + 8 - real % 8);
            assertThat(v.size() % 8).isZero();
            assertThat(v.itos().subList(real, v.size())).isNotEmpty().containsOnly(SpecialTokens.FAKE);
        }
    }

    @Test
    void emptyCountsGiveSpecialsOnly() {
        Vocabulary v = Vocabulary.build(Map.of(), 3, 60000);
        assertThat(v.itos().subList(0, 9)).isEqualTo(SpecialTokens.ALL);
        assertThat(v.size()).isEqualTo(16);
    }

    @Test
    void unknownTokensAndXxfakeMapToXxunk() {
        Vocabulary v = Vocabulary.build(Map.of("hello", 5L), 1, 100);
        assertThat(v.id("hello")).isEqualTo(9);
        assertThat(v.id("nope")).isZero();
        assertThat(v.id(SpecialTokens.FAKE)).isZero();
        assertThat(v.id(SpecialTokens.PAD)).isEqualTo(1);
        assertThat(v.id(SpecialTokens.BOS)).isEqualTo(2);
        assertThat(v.token(0)).isEqualTo(SpecialTokens.UNK);
        assertThat(v.encode(List.of("xxbos", "hello", "world"))).containsExactly(2, 9, 0);
        assertThat(v.decode(new int[] {7, 2, 9, 0}, 1, 2)).containsExactly("xxbos", "hello");
    }

    @Test
    void rejectsMaxVocabSmallerThanTheSpecialsAndNegativeCounts() {
        assertThatThrownBy(() -> Vocabulary.build(Map.of(), 1, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 9");
        assertThatThrownBy(() -> Vocabulary.build(Map.of("a", -1L), 1, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative count");
    }

    @Test
    void jsonRoundTripAndFieldNames(@TempDir Path dir) throws IOException {
        Vocabulary v = Vocabulary.build(counts("x", "x", "y", "\u00e9t\u00e9", "\u00e9t\u00e9", "\u00e9t\u00e9"), 1, 100);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        v.write(out);
        JsonNode json = new ObjectMapper().readTree(out.toByteArray());
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("format", "format_version", "size", "min_freq", "max_vocab", "itos");
        assertThat(json.get("format").asText()).isEqualTo("lmshards-vocab");
        assertThat(json.get("size").asInt()).isEqualTo(v.size());
        Vocabulary back = Vocabulary.read(new ByteArrayInputStream(out.toByteArray()), "mem");
        assertThat(back).isEqualTo(v);
        assertThat(back.minFreq()).isEqualTo(1);
        assertThat(back.maxVocab()).isEqualTo(100);

        Path f = dir.resolve("vocab.json");
        v.write(f);
        assertThat(Vocabulary.read(f)).isEqualTo(v);
        assertThat(Vocabulary.read(f).id("\u00e9t\u00e9")).isEqualTo(9);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("vocab.json");
        }
    }

    private static void assertMalformed(Path dir, String content, String problem) throws IOException {
        Path f = dir.resolve("vocab.json");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Vocabulary.read(f)).isInstanceOf(ShardFormatException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining(problem);
    }

    private static final String SPECIALS_JSON =
            "\"xxunk\",\"xxpad\",\"xxbos\",\"xxeos\",\"xxfld\",\"xxrep\",\"xxwrep\",\"xxup\",\"xxmaj\"";

    @Test
    void malformedVocabJsonNamesTheFile(@TempDir Path dir) throws IOException {
        assertMalformed(dir, "{not json", "malformed vocab.json");
        assertMalformed(dir, "[]", "not a JSON object");
        assertMalformed(dir, "{\"format\":\"other\"}", "format is 'other'");
        assertMalformed(dir, "{\"format\":\"lmshards-vocab\",\"format_version\":2}", "unsupported vocab.json format_version 2");
        String head = "{\"format\":\"lmshards-vocab\",\"format_version\":1,\"min_freq\":3,\"max_vocab\":100,";
        assertMalformed(dir, head + "\"size\":3,\"itos\":[" + SPECIALS_JSON + "]}", "size 3 but itos has 9 entries");
        assertMalformed(dir, head + "\"size\":2,\"itos\":[\"xxunk\",\"a\"]}", "must start with the special tokens");
        assertMalformed(dir, head + "\"size\":11,\"itos\":[" + SPECIALS_JSON + ",\"a\",\"a\"]}", "duplicate token 'a'");
        assertMalformed(dir, head + "\"size\":10,\"itos\":[" + SPECIALS_JSON + ",3]}", "itos[9] is not a string");
        assertMalformed(dir, head + "\"itos\":[" + SPECIALS_JSON + "]}", "size is missing");
        Path missing = dir.resolve("absent.json");
        assertThatThrownBy(() -> Vocabulary.read(missing)).isInstanceOf(ShardFormatException.class)
                .hasMessage(missing + ": vocab.json missing");
    }

    @Test
    void extendKeepsEveryIdAndAddsTheMostCommonNewTokensAtMinFreq() {
        Vocabulary base = Vocabulary.build(counts("a", "a", "a", "b", "b", "b", "c"), 3, 60000);
        assertThat(nonFake(base)).isEqualTo(specialsPlus("a", "b"));
        // d 5, e 4, f 4, g 3, h 2 (under min_freq), a and b already known
        Map<String, Long> fineTune = new HashMap<>(Map.of("a", 9L, "b", 1L, "d", 5L, "f", 4L, "e", 4L, "g", 3L, "h", 2L,
                SpecialTokens.FAKE, 7L, SpecialTokens.MAJ, 50L));

        Vocabulary extended = base.extend(fineTune, 3, 3, 60003);
        assertThat(extended.itos().subList(0, base.size())).isEqualTo(base.itos());
        assertThat(extended.itos().subList(base.size(), base.size() + 3)).containsExactly("d", "e", "f");
        assertThat(extended.size() % 8).isZero();
        assertThat(extended.itos().subList(base.size() + 3, extended.size())).containsOnly(SpecialTokens.FAKE);
        for (String t : List.of("a", "b", SpecialTokens.MAJ)) {
            assertThat(extended.id(t)).as(t).isEqualTo(base.id(t));
        }
        assertThat(extended.id("h")).isZero();
        assertThat(extended.minFreq()).isEqualTo(3);
        assertThat(extended.maxVocab()).isEqualTo(60003);

        assertThat(nonFake(base.extend(fineTune, 3, 100, 60100))).isEqualTo(specialsPlus("a", "b", "d", "e", "f", "g"));
        assertThat(base.extend(fineTune, 6, 100, 60100)).isSameAs(base);
        assertThat(base.extend(fineTune, 3, 0, 60000)).isSameAs(base);
    }
}
