package org.lmshards.core.tokenize;

/**
 * Python 3 {@code str} character predicates, so that rules ported from fastai and spaCy see the
 * same characters as Python does ({@code \s}, {@code \w}, {@code str.isspace}, {@code str.strip}).
 */
final class PyChars {
    private PyChars() {
    }

    /** Python's {@code str.isspace()} for one character (what {@code \s} matches in a str pattern). */
    static boolean isSpace(int c) {
        if (c <= ' ') {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
        }
        if (c < 0x85) {
            return false;
        }
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
                || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** Python's {@code \w} in a str pattern: {@code isalnum()} or underscore (letters and numbers). */
    static boolean isWord(int c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }
        return Character.isLetter(c) || isNumeric(c);
    }

    private static boolean isNumeric(int c) {
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /** Python's {@code str.strip()} (no arguments): strips {@link #isSpace} characters at both ends. */
    static String strip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return (b == 0 && e == s.length()) ? s : s.substring(b, e);
    }

    /** Regex character class equal to Python's {@code \s} (Java's {@code \s} lacks U+001C..U+001F). */
    static final String SPACE_CLASS =
            "[\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";
    /** Regex character class close to Python's {@code \w}: Unicode letters, numbers, underscore. */
    static final String WORD_CLASS = "[\\p{L}\\p{N}_]";
    /** Complement of {@link #WORD_CLASS} (Python's {@code \W}). */
    static final String NON_WORD_CLASS = "[^\\p{L}\\p{N}_]";
}
