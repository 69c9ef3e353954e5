package org.lmshards.tools.synth;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The generator's vocabulary: a fixed function of the Zipf rank, independent of the seed, so
 * that the train and validation files of one corpus (different seeds) share their words.
 *
 * <p>The most frequent ranks are real English function words, as in WikiText; every other
 * rank becomes a pronounceable pseudo-word whose length grows with the rank. A stable hash of
 * the rank decides whether the word is a proper noun (always capitalised), an acronym (all
 * capitals) or carries an accented letter (multi-byte UTF-8).
 */
final class SyntheticWords {
    static final List<String> FUNCTION_WORDS = List.of(
            "the", "of", "and", "to", "in", "a", "was", "that", "on", "as", "by", "for", "with",
            "is", "at", "from", "were", "his", "he", "had", "it", "an", "which", "be", "their",
            "not", "but", "are", "this", "after", "also", "its", "first", "one", "has", "they",
            "or", "her", "been", "who", "have", "she", "two", "new", "during", "would", "into",
            "all", "other", "time", "more", "there", "when", "him", "only", "most", "over",
            "three", "later", "between", "some", "years", "where", "before", "while", "out",
            "up", "such", "about", "than", "then", "these", "no", "can", "could", "both",
            "through", "many", "year", "made", "may", "however", "several", "under", "against",
            "so", "them", "what", "until", "since", "well", "being", "any", "because", "second");

    private static final String[] ONSETS = {
        "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
        "br", "ch", "cl", "dr", "gr", "pl", "sh", "st", "th", "tr"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "y"};
    private static final String[] CODAS = {"", "n", "r", "s", "l", "nd", "rt", "st", "m", "x"};
    private static final int SYLLABLES = ONSETS.length * VOWELS.length * CODAS.length;
    private static final String[] ACCENTED = {"é", "ö", "á", "ü", "ñ", "ç"};
    private static final Set<String> RESERVED = new HashSet<>(FUNCTION_WORDS);

    private SyntheticWords() {
    }

    /** The surface form of a rank (1-based), before sentence-initial capitalisation. */
    static String word(int rank) {
        if (rank <= FUNCTION_WORDS.size()) {
            return FUNCTION_WORDS.get(rank - 1);
        }
        long h = SplitMix64.mix(rank * 0x632BE59BD9B4E019L);
        String w = pseudoWord(rank - FUNCTION_WORDS.size());
        int kind = (int) Long.remainderUnsigned(h >>> 20, 100);
        if (kind < 2 && w.length() <= 6) {
            return w.toUpperCase(java.util.Locale.ROOT);   // acronym, e.g. "BRAST"
        }
        if (kind < 4) {
            int at = (int) Long.remainderUnsigned(h >>> 40, w.length());
            w = w.substring(0, at) + ACCENTED[(int) ((h >>> 8) & 0xFF) % ACCENTED.length] + w.substring(at + 1);
        }
        if (kind < 30) {
            return Character.toUpperCase(w.charAt(0)) + w.substring(1);   // proper noun
        }
        return w;
    }

    /**
     * Writes {@code index} in radix {@code SYLLABLES}, one syllable per digit (at least two).
     * Distinct indexes give distinct syllable sequences; a few spell the same string (syllable
     * boundaries are not marked), which merely merges two rare ranks. Spellings that collide
     * with a function word get a suffix.
     */
    private static String pseudoWord(int index) {
        StringBuilder sb = new StringBuilder(12);
        long n = index;
        int minSyllables = 2;   // content words look longer than function words
        int count = 0;
        int previous = 0;
        while (n > 0 || count < minSyllables) {
            // digit scrambled with the previous one (still decodable, so still distinct), so that
            // the high syllables of frequent words are not all the same
            int digit = (int) (n % SYLLABLES);
            int s = (int) ((digit * 7919L + previous * 131L + count * 17L) % SYLLABLES);
            previous = digit;
            n /= SYLLABLES;
            sb.append(ONSETS[s % ONSETS.length]);
            sb.append(VOWELS[(s / ONSETS.length) % VOWELS.length]);
            sb.append(CODAS[s / (ONSETS.length * VOWELS.length)]);
            count++;
        }
        String w = sb.toString();
        if (RESERVED.contains(w)) {
            w = w + "on";
        }
        return w;
    }
}
