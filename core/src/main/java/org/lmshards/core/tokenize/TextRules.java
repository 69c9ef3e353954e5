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

    /** fastai {@code replace_wrep}: 3 or more repeats of a word become {@code " xxwrep N word "}. */
    public static String replaceWrep(String t) {
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
