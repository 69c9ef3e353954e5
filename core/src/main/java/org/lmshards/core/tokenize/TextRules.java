package org.lmshards.core.tokenize;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.lmshards.core.tokenize.PyChars.NON_WORD_CLASS;
import static org.lmshards.core.tokenize.PyChars.SPACE_CLASS;
import static org.lmshards.core.tokenize.PyChars.WORD_CLASS;

/**
 * fastai's text rules ({@code fastai/text/core.py}, {@code defaults.text_proc_rules} and
 * {@code replace_space}), one static method each, with fastai's names and exact semantics.
 * Rules written by hand (no regex) are equivalent to fastai's regexes; see docs/TOKENIZER.md.
 * All methods are pure functions and return their argument when nothing changes.
 */
public final class TextRules {
    private TextRules() {
    }

    /** fastai {@code _re_wrep}: {@code (?:\s|^)(\w+)\s+((?:\1\s+)+)\1(\s|\W|$)} with Python's classes. */
    private static final Pattern WREP = Pattern.compile(
            "(?:" + SPACE_CLASS + "|^)(" + WORD_CLASS + "+)" + SPACE_CLASS + "+((?:\\1" + SPACE_CLASS + "+)+)\\1("
                    + SPACE_CLASS + "|" + NON_WORD_CLASS + "|$)",
            Pattern.UNIX_LINES);

    /**
     * fastai {@code fix_html}: the literal replacements in fastai's order, then {@code html.unescape}.
     * Also turns WikiText's {@code " @,@ "} into {@code ","} (fastai 1 did; fastai 2 dropped it).
     */
    public static String fixHtml(String x) {
        x = x.replace("#39;", "'").replace("amp;", "&").replace("#146;", "'").replace("nbsp;", " ")
                .replace("#36;", "$").replace("\\n", "\n").replace("quot;", "'").replace("<br />", "\n")
                .replace("\\\"", "\"").replace("<unk>", SpecialTokens.UNK).replace(" @.@ ", ".")
                .replace(" @-@ ", "-").replace(" @,@ ", ",").replace("...", " \u2026");
        return HtmlUnescaper.unescape(x);
    }

    /**
     * fastai {@code replace_rep}: a run of 3 or more of the same non-space character {@code c}
     * ({@code (\S)(\1{2,})}) becomes {@code " xxrep N c "}.
     */
    public static String replaceRep(String t) {
        int n = t.length();
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < n) {
            int c = t.codePointAt(i);
            int w = Character.charCount(c);
            int j = i + w;
            int count = 1;
            if (!PyChars.isSpace(c)) {
                while (j < n && t.codePointAt(j) == c) {
                    j += w;
                    count++;
                }
            }
            if (count >= 3) {
                if (out == null) {
                    out = new StringBuilder(n + 16);
                }
                out.append(t, copied, i).append(' ').append(SpecialTokens.REP).append(' ').append(count).append(' ')
                        .appendCodePoint(c).append(' ');
                copied = j;
            }
            i = j;
        }
        if (out == null) {
            return t;
        }
        return out.append(t, copied, n).toString();
    }

    /**
     * fastai {@code replace_wrep}: 3 or more repeats of a word become {@code " xxwrep N word "}.
     * A hand-written matcher equivalent to fastai's {@code _re_wrep} (see {@link #WREP} and
     * docs/TOKENIZER.md), about 20 times faster than running the regex in Java.
     */
    public static String replaceWrep(String t) {
        int n = t.length();
        StringBuilder out = null;
        int[] m = new int[5];
        int copied = 0;
        int p = 0;
        while (p < n) {
            if (!matchWrep(t, p, m)) {
                p++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n + 32);
            }
            // m: word start, word end, repeats, group 3 start, match end
            out.append(t, copied, p).append(' ').append(SpecialTokens.WREP).append(' ').append(m[2]).append(' ')
                    .append(t, m[0], m[1]).append(' ').append(t, m[3], m[4]);
            copied = m[4];
            p = m[4];
        }
        return out == null ? t : out.append(t, copied, n).toString();
    }

    /**
     * Tries fastai's {@code _re_wrep} at {@code p}; on a match fills {@code m} (word start, word
     * end, repeat count, group 3 start, match end) and returns true.
     */
    private static boolean matchWrep(String t, int p, int[] m) {
        int n = t.length();
        int s;
        if (PyChars.isSpace(t.charAt(p))) {
            s = p + 1; // (?:\s|^) took the whitespace
        } else if (p == 0) {
            s = 0; // (?:\s|^) matched ^
        } else {
            return false;
        }
        // (\w+) followed by \s+: backtracking to a shorter word would leave a word character
        // before \s+, so the group is the whole word run and must be followed by whitespace.
        int e = wordEnd(t, s);
        if (e == s || e >= n || !PyChars.isSpace(t.charAt(e))) {
            return false;
        }
        int len = e - s;
        int pos = spaceEnd(t, e);
        // ((?:\1\s+)+): whole repeats of the word, each followed by whitespace
        int k = 0;
        int lastUnit = -1;
        while (pos + len < n && t.regionMatches(pos, t, s, len) && PyChars.isSpace(t.charAt(pos + len))) {
            lastUnit = pos;
            k++;
            pos = spaceEnd(t, pos + len);
        }
        int reps;
        int f;
        if (k >= 1 && t.regionMatches(pos, t, s, len) && (pos + len == n || !PyChars.isWord(t.codePointAt(pos + len)))) {
            reps = k;
            f = pos + len;
        } else if (k >= 2) {
            reps = k - 1; // give back the last repeat: it is the final \1, followed by whitespace
            f = lastUnit + len;
        } else {
            return false;
        }
        m[0] = s;
        m[1] = e;
        m[2] = reps + 2;
        m[3] = f;
        m[4] = f < n ? f + Character.charCount(t.codePointAt(f)) : f; // (\\s|\\W|$)
        return true;
    }

    private static int wordEnd(String t, int i) {
        int n = t.length();
        while (i < n) {
            int c = t.codePointAt(i);
            if (!PyChars.isWord(c)) {
                break;
            }
            i += Character.charCount(c);
        }
        return i;
    }

    private static int spaceEnd(String t, int i) {
        int n = t.length();
        while (i < n && PyChars.isSpace(t.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The regex version of {@link #replaceWrep}, kept as the executable specification for tests. */
    static String replaceWrepRegex(String t) {
        Matcher m = WREP.matcher(t);
        if (!m.find()) {
            return t;
        }
        StringBuilder out = new StringBuilder(t.length());
        int copied = 0;
        do {
            int reps = countWords(t, m.start(2), m.end(2)) + 2;
            out.append(t, copied, m.start()).append(' ').append(SpecialTokens.WREP).append(' ').append(reps)
                    .append(' ').append(t, m.start(1), m.end(1)).append(' ').append(t, m.start(3), m.end(3));
            copied = m.end();
        } while (m.find());
        return out.append(t, copied, t.length()).toString();
    }

    private static int countWords(String s, int from, int to) {
        int words = 0;
        boolean inWord = false;
        for (int i = from; i < to; i++) {
            boolean space = PyChars.isSpace(s.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return words;
    }

    /** fastai {@code spec_add_spaces}: {@code ([/#\\])} becomes {@code " \1 "}. */
    public static String specAddSpaces(String t) {
        int n = t.length();
        StringBuilder out = null;
        int copied = 0;
        for (int i = 0; i < n; i++) {
            char c = t.charAt(i);
            if (c == '/' || c == '#' || c == '\\') {
                if (out == null) {
                    out = new StringBuilder(n + 16);
                }
                out.append(t, copied, i).append(' ').append(c).append(' ');
                copied = i + 1;
            }
        }
        return out == null ? t : out.append(t, copied, n).toString();
    }

    /** fastai {@code rm_useless_spaces}: runs of 2 or more ASCII spaces ({@code " {2,}"}) become one. */
    public static String rmUselessSpaces(String t) {
        if (!t.contains("  ")) {
            return t;
        }
        int n = t.length();
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = t.charAt(i);
            if (c == ' ' && i > 0 && t.charAt(i - 1) == ' ') {
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * fastai {@code replace_all_caps}: a whitespace-delimited word matching {@code [A-Z]+[^a-z\s]*}
     * (starts with A-Z, holds no a-z) is lower-cased, with {@code xxup} before it when longer
     * than one character.
     */
    public static String replaceAllCaps(String t) {
        return markWords(t, true, false);
    }

    /**
     * fastai {@code replace_maj}: a whitespace-delimited word matching {@code [A-Z][^A-Z\s]*} (one
     * A-Z then no A-Z) is lower-cased, with {@code xxmaj} before it when longer than one character.
     */
    public static String replaceMaj(String t) {
        return markWords(t, false, true);
    }

    /** {@link #replaceAllCaps} then {@link #replaceMaj} in one pass (equivalent: see docs/TOKENIZER.md). */
    static String replaceAllCapsThenMaj(String t) {
        return markWords(t, true, true);
    }

    private static String markWords(String t, boolean caps, boolean maj) {
        int n = t.length();
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < n) {
            if (PyChars.isSpace(t.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            boolean hasLower = false;
            boolean upperAfterFirst = false;
            int codePoints = 0;
            while (i < n && !PyChars.isSpace(t.charAt(i))) {
                char c = t.charAt(i);
                if (c >= 'a' && c <= 'z') {
                    hasLower = true;
                } else if (c >= 'A' && c <= 'Z' && i > start) {
                    upperAfterFirst = true;
                }
                if (!Character.isLowSurrogate(c)) {
                    codePoints++;
                }
                i++;
            }
            char first = t.charAt(start);
            if (first < 'A' || first > 'Z') {
                continue;
            }
            String marker = null;
            if (caps && !hasLower) {
                marker = SpecialTokens.UP;
            } else if (maj && !upperAfterFirst) {
                marker = SpecialTokens.MAJ;
            } else {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n + 64);
            }
            out.append(t, copied, start);
            if (codePoints > 1) {
                out.append(marker).append(' ');
            }
            out.append(t.substring(start, i).toLowerCase(Locale.ROOT));
            copied = i;
        }
        return out == null ? t : out.append(t, copied, n).toString();
    }

    /** fastai {@code lowercase(t, add_bos=True, add_eos=False)}: {@code "xxbos " + t.lower().strip()}. */
    public static String lowercase(String t) {
        return SpecialTokens.BOS + " " + PyChars.strip(t.toLowerCase(Locale.ROOT));
    }

    /** fastai {@code replace_space} (the post-rule on each token): {@code ' '} becomes {@code '▁'}. */
    public static String replaceSpace(String token) {
        return token.indexOf(' ') < 0 ? token : token.replace(' ', '\u2581');
    }
}
