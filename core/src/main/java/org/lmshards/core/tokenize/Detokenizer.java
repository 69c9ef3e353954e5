package org.lmshards.core.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
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
        Stream s = new Stream(out);
        for (String t : tokens) {
            s.accept(t);
        }
        s.finish();
        return out.toString();
    }

    /**
     * The same text, written as the tokens come: every rule looks at most three tokens ahead, so
     * a token is written once three more have arrived (or at {@link #finish}). Memory does not
     * grow with the number of tokens ({@code generate --tokens 100000000}, issue 25).
     */
    public static final class Stream {
        private static final int LOOK_AHEAD = 3;
        private final Appendable out;
        private final ArrayDeque<String> pending = new ArrayDeque<>();
        private boolean glueNext = true; // nothing before the first word
        private boolean wroteAny;
        private String lastWord;

        public Stream(Appendable out) {
            this.out = out;
        }

        /** Takes the next token; writes what is now decided. */
        public void accept(String token) {
            pending.addLast(token);
            while (pending.size() > LOOK_AHEAD) {
                step();
            }
        }

        /** Writes what is left (the end of the tokens). */
        public void finish() {
            while (!pending.isEmpty()) {
                step();
            }
        }

        private String ahead(int k) {
            if (k >= pending.size()) {
                return null;
            }
            var it = pending.iterator();
            for (int i = 0; i < k; i++) {
                it.next();
            }
            return it.next();
        }

        /** Consumes the first pending token (with the tokens it governs) and writes its text. */
        private void step() {
            String t = pending.removeFirst();
            switch (t) {
                case SpecialTokens.BOS, SpecialTokens.EOS, SpecialTokens.PAD, SpecialTokens.FAKE -> {
                    return;
                }
                default -> {
                }
            }
            String word;
            boolean glueBefore = false;
            boolean glueAfter = false;
            if (t.equals(SpecialTokens.MAJ) || t.equals(SpecialTokens.UP)) {
                String w = ahead(0);
                if (w == null || isSpecial(w)) {
                    return;
                }
                pending.removeFirst();
                word = t.equals(SpecialTokens.UP) ? w.toUpperCase(Locale.ROOT) : capitalize(w);
            } else if ((t.equals(SpecialTokens.REP) || t.equals(SpecialTokens.WREP)) && ahead(1) != null
                    && isCount(ahead(0))) {
                int count = Integer.parseInt(pending.removeFirst());
                String w = pending.removeFirst();
                if (t.equals(SpecialTokens.REP)) {
                    word = w.repeat(count);
                    // fastai put spaces around the run; guess whether it sat inside a word
                    int c = w.isEmpty() ? ' ' : w.codePointAt(0);
                    glueBefore = closes(w) || (Character.isLetterOrDigit(c) && lastWord != null
                            && (lastWord.codePointCount(0, lastWord.length()) == 1
                            || (Character.isDigit(c) && Character.isDigit(lastWord.codePointBefore(lastWord.length())))));
                    String next = pending.isEmpty() ? "" : pending.peekFirst();
                    glueAfter = Character.isLetter(c) && !next.isEmpty() && Character.isLetter(next.codePointAt(0))
                            && !next.startsWith("xx");
                } else {
                    word = String.join(" ", java.util.Collections.nCopies(count, w));
                }
            } else {
                word = t.replace('\u2581', ' ');
                if (isWhitespace(word)) {
                    write(word);
                    glueNext = true;
                    return;
                }
                glueBefore = closes(word) || (word.equals("-") && wroteAny && !glueNext);
                glueAfter = opens(word) || word.equals("-");
            }
            if (!glueNext && !glueBefore) {
                write(" ");
            }
            write(word);
            glueNext = glueAfter;
            lastWord = word;
        }

        private void write(String s) {
            try {
                out.append(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            wroteAny |= !s.isEmpty();
        }
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
