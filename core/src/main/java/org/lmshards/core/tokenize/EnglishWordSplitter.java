package org.lmshards.core.tokenize;

import java.util.function.Consumer;
import java.util.regex.Matcher;

/**
 * Splits text into words the way spaCy's English tokenizer ({@code spacy.blank("en")}) does, for
 * the lower-cased text that fastai hands it. Same algorithm as spaCy's {@code Tokenizer}:
 * <ol>
 *   <li>the text is cut at single ASCII spaces; any other whitespace (and a space that follows
 *       whitespace) becomes a token of its own, e.g. {@code "\n"} or {@code "\n "};</li>
 *   <li>each chunk that is a special case becomes its listed tokens;</li>
 *   <li>otherwise prefixes and suffixes are peeled off one at a time (stopping when what is
 *       left is a special case), then the rest is split at infixes (unless it is a URL).</li>
 * </ol>
 * Stateless and thread-safe. Differences from spaCy: docs/TOKENIZER.md.
 */
final class EnglishWordSplitter {
    /** Longer chunks skip the URL check (it only guards infix splitting; see docs/TOKENIZER.md). */
    private static final int MAX_URL_LENGTH = 256;

    /** Splits {@code text} and hands every token to {@code sink}, in order. */
    void split(String text, Consumer<String> sink) {
        forEachChunk(text, c -> splitChunk(c, sink));
    }

    /**
     * Cuts {@code text} into spaCy's chunks (step 1 above) and hands each to {@code sink}, in
     * order. The tokens of {@code text} are those of {@link #splitChunk} on every chunk.
     */
    void forEachChunk(String text, Consumer<String> sink) {
        int n = text.length();
        if (n == 0) {
            return;
        }
        boolean inWs = PyChars.isSpace(text.charAt(0));
        int start = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (PyChars.isSpace(c) != inWs) {
                if (start < i) {
                    sink.accept(text.substring(start, i));
                }
                start = c == ' ' ? i + 1 : i;
                inWs = !inWs;
            }
        }
        if (start < n) {
            sink.accept(text.substring(start));
        }
    }

    /** The tokens of one chunk (steps 2 and 3 above): a function of the chunk alone. */
    void splitChunk(String s, Consumer<String> sink) {
        String[] special = SpacyEnglishRules.SPECIALS.get(s);
        if (special != null) {
            emit(special, sink);
            return;
        }
        if (plainWord(s)) {
            sink.accept(s);
            return;
        }
        splitAffixes(s, sink);
    }

    /** Only a-z, or only 0-9: no prefix, suffix or infix rule can apply (fast path). */
    private static boolean plainWord(String s) {
        int n = s.length();
        char first = s.charAt(0);
        boolean letters = first >= 'a' && first <= 'z';
        boolean digits = first >= '0' && first <= '9';
        if (!letters && !digits) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (letters ? (c < 'a' || c > 'z') : (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private void splitAffixes(String s, Consumer<String> sink) {
        String[] prefixes = null;
        int nPre = 0;
        String[] suffixes = null;
        int nSuf = 0;
        int lastSize = -1;
        String[] specialRest = null;
        while (!s.isEmpty() && s.length() != lastSize) {
            if (SpacyEnglishRules.SPECIALS.containsKey(s)) {
                break;
            }
            lastSize = s.length();
            int preLen = prefixLength(s);
            String minusPre = null;
            if (preLen != 0) {
                minusPre = s.substring(preLen);
                if (!minusPre.isEmpty() && SpacyEnglishRules.SPECIALS.containsKey(minusPre)) {
                    prefixes = push(prefixes, nPre++, s.substring(0, preLen));
                    s = minusPre;
                    break;
                }
            }
            int sufLen = suffixLength(preLen == 0 ? s : minusPre);
            String minusSuf = null;
            if (sufLen != 0) {
                minusSuf = s.substring(0, s.length() - sufLen);
                if (!minusSuf.isEmpty() && SpacyEnglishRules.SPECIALS.containsKey(minusSuf)) {
                    suffixes = push(suffixes, nSuf++, s.substring(s.length() - sufLen));
                    s = minusSuf;
                    break;
                }
            }
            if (preLen != 0 && sufLen != 0 && preLen + sufLen <= s.length()) {
                prefixes = push(prefixes, nPre++, s.substring(0, preLen));
                suffixes = push(suffixes, nSuf++, s.substring(s.length() - sufLen));
                s = s.substring(preLen, s.length() - sufLen);
            } else if (preLen != 0) {
                prefixes = push(prefixes, nPre++, s.substring(0, preLen));
                s = minusPre;
            } else if (sufLen != 0) {
                suffixes = push(suffixes, nSuf++, s.substring(s.length() - sufLen));
                s = minusSuf;
            }
            if (!s.isEmpty() && SpacyEnglishRules.SPECIALS.containsKey(s)) {
                break;
            }
        }
        for (int i = 0; i < nPre; i++) {
            sink.accept(prefixes[i]);
        }
        if (!s.isEmpty()) {
            specialRest = SpacyEnglishRules.SPECIALS.get(s);
            if (specialRest != null) {
                emit(specialRest, sink);
            } else {
                splitInfixes(s, sink);
            }
        }
        for (int i = nSuf - 1; i >= 0; i--) {
            sink.accept(suffixes[i]);
        }
    }

    private static void splitInfixes(String s, Consumer<String> sink) {
        Matcher m = SpacyEnglishRules.INFIX.matcher(s);
        if (!m.find()) {
            sink.accept(s);
            return;
        }
        if (s.length() <= MAX_URL_LENGTH && s.indexOf('.') >= 0 && SpacyEnglishRules.URL.matcher(s).matches()) {
            sink.accept(s);
            return;
        }
        int start = 0;
        do {
            int is = m.start();
            int ie = m.end();
            if (is == 0) {
                continue; // spaCy skips an infix at the very start
            }
            if (is != start) {
                sink.accept(s.substring(start, is));
            }
            if (is != ie) {
                sink.accept(s.substring(is, ie));
            }
            start = ie;
        } while (m.find());
        if (start < s.length()) {
            sink.accept(s.substring(start));
        }
    }

    private static int prefixLength(String s) {
        char c = s.charAt(0);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            return 0; // no prefix rule starts with a lower-case ASCII letter or a digit
        }
        Matcher m = SpacyEnglishRules.PREFIX.matcher(s);
        return m.lookingAt() ? m.end() : 0;
    }

    private static int suffixLength(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        Matcher m = SpacyEnglishRules.SUFFIX.matcher(s);
        return m.find() ? s.length() - m.start() : 0;
    }

    private static String[] push(String[] a, int n, String v) {
        if (a == null) {
            a = new String[4];
        } else if (n == a.length) {
            a = java.util.Arrays.copyOf(a, n * 2);
        }
        a[n] = v;
        return a;
    }

    private static void emit(String[] tokens, Consumer<String> sink) {
        for (String t : tokens) {
            sink.accept(t);
        }
    }
}
