package org.lmshards.tools.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SyntheticCorpusTest {
    private static final Pattern TITLE = Pattern.compile(" = [^=].* = ");
    private static final Pattern HEADING = Pattern.compile(" (= ){2,3}[^=].* (= ?){2,3}");

    private static byte[] generate(long seed, long bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) bytes + 65536);
        long n = new SyntheticCorpus(seed).writeCsv(out, bytes);
        assertThat(n).isEqualTo(out.size());
        return out.toByteArray();
    }

    @Test
    void sameSeedAndSizeGiveIdenticalBytes() throws IOException {
        byte[] a = generate(7, 1_000_000);
        byte[] b = generate(7, 1_000_000);
        assertThat(b).isEqualTo(a);
        assertThat(generate(8, 1_000_000)).isNotEqualTo(a);
    }

    @Test
    void sizeIsTheTargetPlusAtMostOneParagraph() throws IOException {
        for (long target : new long[] {1, 10_000, 300_000, 2_000_000}) {
            byte[] csv = generate(42, target);
            assertThat((long) csv.length).as("size for target %d", target)
                    .isGreaterThanOrEqualTo(target)
                    .isLessThanOrEqualTo(target + 8_192);
        }
    }

    @Test
    void writesWellFormedWikiTextArticles() throws IOException {
        byte[] csv = generate(3, 1_500_000);
        List<String> articles = GeneratedCsv.articles(csv);
        assertThat(articles).hasSizeGreaterThan(30);
        int headings = 0;
        for (String article : articles) {
            assertThat(article).startsWith(" \n = ").endsWith(" \n \n");
            String[] lines = article.split("\n", -1);
            assertThat(lines[1]).matches(TITLE);
            assertThat(lines[lines.length - 1]).isEmpty();   // the text after the final LF
            for (int i = 0; i < lines.length - 1; i++) {
                String line = lines[i];
                assertThat(line).as("line %d", i).startsWith(" ").doesNotContain("  ").doesNotContain("\r");
                if (HEADING.matcher(line).matches()) {
                    headings++;
                }
            }
        }
        assertThat(headings).isGreaterThan(articles.size());
        String text = String.join("", articles);
        assertThat(text).contains(" @-@ ", " @,@ ", " @.@ ", "<unk>", " ( ", " \" ", " 's ", " – ");
        assertThat(text.chars().anyMatch(c -> c > 127)).as("some non-ASCII letters").isTrue();
        assertThat(new String(csv, StandardCharsets.UTF_8)).contains("\"\"");   // embedded quotes doubled
    }

    @Test
    void wordFrequenciesFollowAZipfLaw() throws IOException {
        Map<String, Long> counts = wordCounts(generate(11, 3_000_000));
        List<Long> freqs = new ArrayList<>(counts.values());
        freqs.sort((x, y) -> Long.compare(y, x));
        long total = freqs.stream().mapToLong(Long::longValue).sum();
        // the head is flattened (Zipf-Mandelbrot) like English: the top word is a few per cent
        assertThat((double) freqs.get(0) / total).isBetween(0.02, 0.12);
        // least-squares slope of log(frequency) over log(rank) on ranks 20..2000
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int rank = 20; rank <= 2000; rank++) {
            double x = Math.log(rank);
            double y = Math.log(freqs.get(rank - 1));
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            n++;
        }
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        assertThat(slope).isBetween(-1.6, -0.9);
    }

    @Test
    void vocabularyKeepsGrowingWithSize() throws IOException {
        int small = wordCounts(generate(5, 500_000)).size();
        int large = wordCounts(generate(5, 4_000_000)).size();
        // Heaps' law V ~ n^beta with beta well below 1: 8x the text, clearly more words, far from 8x
        double ratio = (double) large / small;
        assertThat(ratio).isBetween(2.5, 7.0);
    }

    @Test
    void wordsAreAFunctionOfTheRankOnly() {
        Set<String> seen = new HashSet<>();
        for (int rank = 1; rank <= 20_000; rank++) {
            String w = SyntheticWords.word(rank);
            assertThat(w).isEqualTo(SyntheticWords.word(rank)).isNotBlank().doesNotContain(" ", "\"", ",");
            seen.add(w.toLowerCase(java.util.Locale.ROOT));
        }
        assertThat(seen.size()).isGreaterThan(19_900);   // nearly all ranks spell different words
        assertThat(SyntheticWords.word(1)).isEqualTo("the");
    }

    @Test
    void rejectsANonPositiveSize() {
        assertThatThrownBy(() -> new SyntheticCorpus(1).writeCsv(new ByteArrayOutputStream(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, Long> wordCounts(byte[] csv) {
        Map<String, Long> counts = new HashMap<>();
        for (String article : GeneratedCsv.articles(csv)) {
            for (String token : article.split("[ \n]+")) {
                if (!token.isEmpty() && Character.isLetter(token.charAt(0))) {
                    counts.merge(token.toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
                }
            }
        }
        return counts;
    }
}
