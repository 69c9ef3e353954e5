package org.lmshards.spark.csv;

import java.util.Locale;

/**
 * Whether a text field holds nothing to read: only whitespace, Unicode spaces and invisible
 * characters. {@code String.isBlank} counts only what {@link Character#isWhitespace} does, which
 * leaves out the no-break spaces (U+00A0, U+2007, U+202F); rows of those, of line or paragraph
 * separators (U+2028/9), zero-width spaces (U+200B) or a stray BOM (U+FEFF) became empty
 * documents (issue 25).
 */
final class BlankText {
    private BlankText() {
    }

    /** Why {@code text} is no text ({@code "empty text"}, {@code "whitespace-only text ..."}), or null when it has some. */
    static String problem(String text) {
        if (text.isEmpty()) {
            return "empty text";
        }
        int firstUnicode = -1;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (!invisible(c)) {
                return null;
            }
            if (firstUnicode < 0 && !Character.isWhitespace(c)) {
                firstUnicode = c;
            }
            i += Character.charCount(c);
        }
        return firstUnicode < 0 ? "whitespace-only text"
                : String.format(Locale.ROOT, "whitespace-only text (Unicode spaces or invisible characters such as U+%04X)",
                        firstUnicode);
    }

    /** White space of any kind (Zs, Zl, Zp included), control and format characters (U+200B, U+FEFF, U+2060). */
    private static boolean invisible(int c) {
        if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.CONTROL;
    }
}
