package org.lmshards.core.tokenize;

import java.util.List;
import java.util.Locale;

/**
 * Turns fastai tokens back into readable text (for display and generation; not an exact inverse).
 * <ul>
 *   <li>drops {@code xxbos}, {@code xxeos}, {@code xxpad}, {@code xxfake};</li>
 *   <li>{@code xxmaj w} capitalizes w's first letter, {@code xxup w} upper-cases w; before another
 *       special token (a generated {@code xxmaj xxunk}) the marker is dropped, never applied to
 *       it, so that no {@code Xxunk} appears;</li>
 *   <li>{@code xxrep N c} becomes c repeated N times; fastai's rule put spaces around the run,
 *       so it is glued to the word before when c is punctuation that closes, when that word is one
 *       character ({@code h xxrep 4 m}) or when both are digits ({@code 1 xxrep 3 0}), and to the
 *       word after when both are letters ({@code xxrep 4 a h}); {@code xxwrep N w} becomes w
 *       repeated N times, space separated;</li>
 *   <li>{@code replace_space}'s {@code '▁'} becomes a space again; whitespace tokens are kept;</li>
 *   <li>tokens are joined with single spaces, except: no space before closing punctuation
 *       ({@code . , ; : ! ? ) ] } %}) and clitics ({@code 's n't 'm 're 've 'll 'd}), none after
 *       opening brackets ({@code ( [ { $}) and none around a whitespace token or a hyphen that
 *       stood between two words (the WikiText {@code @-@} case reads better glued).</li>
 * </ul>
 */
public final class Detokenizer {
    private Detokenizer() {
    }

    /** Readable text for {@code tokens}. */
    public static String detokenize(List<String> tokens) {
        StringBuilder out = new StringBuilder();
        boolean glueNext = true; // nothing before the first word
        String lastWord = null;
        int n = tokens.size();
        for (int i = 0; i < n; i++) {
            String t = tokens.get(i);
            switch (t) {
                case SpecialTokens.BOS, SpecialTokens.EOS, SpecialTokens.PAD, SpecialTokens.FAKE -> {
                    continue;
                }
                default -> {
                }
            }
            String word;
            boolean glueBefore = false;
            boolean glueAfter = false;
            if (t.equals(SpecialTokens.MAJ) || t.equals(SpecialTokens.UP)) {
                if (i + 1 >= n || isSpecial(tokens.get(i + 1))) {
                    continue;
                }
                String w = tokens.get(++i);
                word = t.equals(SpecialTokens.UP) ? w.toUpperCase(Locale.ROOT) : capitalize(w);
            } else if ((t.equals(SpecialTokens.REP) || t.equals(SpecialTokens.WREP)) && i + 2 < n
                    && isCount(tokens.get(i + 1))) {
                int count = Integer.parseInt(tokens.get(i + 1));
                String w = tokens.get(i + 2);
                i += 2;
                if (t.equals(SpecialTokens.REP)) {
                    word = w.repeat(count);
                    // fastai put spaces around the run; guess whether it sat inside a word
                    int c = w.isEmpty() ? ' ' : w.codePointAt(0);
                    glueBefore = closes(w) || (Character.isLetterOrDigit(c) && lastWord != null
                            && (lastWord.codePointCount(0, lastWord.length()) == 1
                            || (Character.isDigit(c) && Character.isDigit(lastWord.codePointBefore(lastWord.length())))));
                    String next = i + 1 < n ? tokens.get(i + 1) : "";
                    glueAfter = Character.isLetter(c) && !next.isEmpty() && Character.isLetter(next.codePointAt(0))
                            && !next.startsWith("xx");
                } else {
                    word = String.join(" ", java.util.Collections.nCopies(count, w));
                }
            } else {
                word = t.replace('\u2581', ' ');
                if (isWhitespace(word)) {
                    out.append(word);
                    glueNext = true;
                    continue;
                }
                glueBefore = closes(word) || (word.equals("-") && !out.isEmpty() && !glueNext);
                glueAfter = opens(word) || word.equals("-");
            }
            if (!glueNext && !glueBefore) {
                out.append(' ');
            }
            out.append(word);
            glueNext = glueAfter;
            lastWord = word;
        }
        return out.toString();
    }

    private static boolean isSpecial(String t) {
        return SpecialTokens.ALL.contains(t) || t.equals(SpecialTokens.FAKE);
    }

    private static boolean isCount(String s) {
        if (s.isEmpty() || s.length() > 6) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String capitalize(String w) {
        if (w.isEmpty()) {
            return w;
        }
        int cp = w.codePointAt(0);
        return new StringBuilder(w.length()).appendCodePoint(Character.toTitleCase(cp))
                .append(w, Character.charCount(cp), w.length()).toString();
    }

    private static boolean isWhitespace(String w) {
        for (int i = 0; i < w.length(); i++) {
            if (!PyChars.isSpace(w.charAt(i))) {
                return false;
            }
        }
        return !w.isEmpty();
    }

    private static boolean closes(String w) {
        switch (w) {
            case ".", ",", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "n't", "'m", "'re", "'ve", "'ll", "'d",
                    "\u2026" -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean opens(String w) {
        return w.equals("(") || w.equals("[") || w.equals("{") || w.equals("$");
    }
}
