package org.lmshards.core.tokenize;

import java.util.HashMap;
import java.util.Map;

/**
 * Port of Python's {@code html.unescape} (the last step of fastai's {@code fix_html}): numeric
 * character references with Python's replacement rules for invalid code points, and named
 * references. Python knows all 2,231 HTML5 names; this class knows the HTML 4 set (the 252
 * names, which includes every name HTML5 also accepts without a trailing semicolon) plus
 * {@code &apos;}. Unknown names stay as they are, as in Python.
 */
final class HtmlUnescaper {
    private HtmlUnescaper() {
    }

    /** Names accepted with a semicolon, mapped to their text. */
    private static final Map<String, String> WITH_SEMI = new HashMap<>();
    /** Names HTML5 also accepts without a semicolon (the legacy Latin-1 set). */
    private static final Map<String, String> NO_SEMI = new HashMap<>();
    /** Python's {@code html._invalid_charrefs}: the Windows-1252 reading of 0x80..0x9F, plus 0 and CR. */
    private static final Map<Integer, String> INVALID_CHARREFS = new HashMap<>();

    static {
        String[] latin1 = ("nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg "
                + "plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest "
                + "Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute "
                + "Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml "
                + "Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc "
                + "euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave "
                + "uacute ucirc uuml yacute thorn yuml").split(" ");
        for (int i = 0; i < latin1.length; i++) {
            legacy(latin1[i], String.valueOf((char) (0xA0 + i)));
        }
        legacy("amp", "&");
        legacy("lt", "<");
        legacy("gt", ">");
        legacy("quot", "\"");
        legacy("AMP", "&");
        legacy("LT", "<");
        legacy("GT", ">");
        legacy("QUOT", "\"");
        legacy("COPY", "\u00A9");
        legacy("REG", "\u00AE");
        String[] greekUpper = "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho"
                .split(" ");
        for (int i = 0; i < greekUpper.length; i++) {
            named(greekUpper[i], 0x391 + i);
            named(greekUpper[i].toLowerCase(java.util.Locale.ROOT), 0x3B1 + i);
        }
        String[] greekRest = "Sigma Tau Upsilon Phi Chi Psi Omega".split(" ");
        for (int i = 0; i < greekRest.length; i++) {
            named(greekRest[i], 0x3A3 + i);
            named(greekRest[i].toLowerCase(java.util.Locale.ROOT), 0x3C3 + i);
        }
        Object[] other = {"sigmaf", 0x3C2, "thetasym", 0x3D1, "upsih", 0x3D2, "piv", 0x3D6, "apos", 0x27,
            "OElig", 0x152, "oelig", 0x153, "Scaron", 0x160, "scaron", 0x161, "Yuml", 0x178, "fnof", 0x192,
            "circ", 0x2C6, "tilde", 0x2DC, "ensp", 0x2002, "emsp", 0x2003, "thinsp", 0x2009, "zwnj", 0x200C,
            "zwj", 0x200D, "lrm", 0x200E, "rlm", 0x200F, "ndash", 0x2013, "mdash", 0x2014, "lsquo", 0x2018,
            "rsquo", 0x2019, "sbquo", 0x201A, "ldquo", 0x201C, "rdquo", 0x201D, "bdquo", 0x201E,
            "dagger", 0x2020, "Dagger", 0x2021, "bull", 0x2022, "hellip", 0x2026, "permil", 0x2030,
            "prime", 0x2032, "Prime", 0x2033, "lsaquo", 0x2039, "rsaquo", 0x203A, "oline", 0x203E,
            "frasl", 0x2044, "euro", 0x20AC, "image", 0x2111, "weierp", 0x2118, "real", 0x211C,
            "trade", 0x2122, "alefsym", 0x2135, "larr", 0x2190, "uarr", 0x2191, "rarr", 0x2192,
            "darr", 0x2193, "harr", 0x2194, "crarr", 0x21B5, "lArr", 0x21D0, "uArr", 0x21D1, "rArr", 0x21D2,
            "dArr", 0x21D3, "hArr", 0x21D4, "forall", 0x2200, "part", 0x2202, "exist", 0x2203,
            "empty", 0x2205, "nabla", 0x2207, "isin", 0x2208, "notin", 0x2209, "ni", 0x220B, "prod", 0x220F,
            "sum", 0x2211, "minus", 0x2212, "lowast", 0x2217, "radic", 0x221A, "prop", 0x221D,
            "infin", 0x221E, "ang", 0x2220, "and", 0x2227, "or", 0x2228, "cap", 0x2229, "cup", 0x222A,
            "int", 0x222B, "there4", 0x2234, "sim", 0x223C, "cong", 0x2245, "asymp", 0x2248, "ne", 0x2260,
            "equiv", 0x2261, "le", 0x2264, "ge", 0x2265, "sub", 0x2282, "sup", 0x2283, "nsub", 0x2284,
            "sube", 0x2286, "supe", 0x2287, "oplus", 0x2295, "otimes", 0x2297, "perp", 0x22A5,
            "sdot", 0x22C5, "lceil", 0x2308, "rceil", 0x2309, "lfloor", 0x230A, "rfloor", 0x230B,
            "lang", 0x27E8, "rang", 0x27E9, "loz", 0x25CA, "spades", 0x2660, "clubs", 0x2663,
            "hearts", 0x2665, "diams", 0x2666};
        for (int i = 0; i < other.length; i += 2) {
            named((String) other[i], (Integer) other[i + 1]);
        }
        int[] cp1252 = {0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039,
            0x152, 0x8D, 0x17D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x2DC,
            0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178};
        for (int i = 0; i < cp1252.length; i++) {
            INVALID_CHARREFS.put(0x80 + i, String.valueOf((char) cp1252[i]));
        }
        INVALID_CHARREFS.put(0, "\uFFFD");
        INVALID_CHARREFS.put(0x0D, "\r");
    }

    private static void legacy(String name, String text) {
        NO_SEMI.put(name, text);
        WITH_SEMI.put(name, text);
    }

    private static void named(String name, int cp) {
        WITH_SEMI.put(name, new String(Character.toChars(cp)));
    }

    /** Python's {@code html.unescape(s)}; returns {@code s} itself when it holds no {@code &}. */
    static String unescape(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        out.append(s, 0, amp);
        int i = amp;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            i = reference(s, i, out);
        }
        return out.toString();
    }

    /** Handles the {@code &} at {@code amp}; appends the replacement and returns the next index. */
    private static int reference(String s, int amp, StringBuilder out) {
        int n = s.length();
        int i = amp + 1;
        if (i < n && s.charAt(i) == '#') {
            boolean hex = i + 1 < n && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X');
            int d = hex ? i + 2 : i + 1;
            int e = d;
            while (e < n && (hex ? Character.digit(s.charAt(e), 16) >= 0 && s.charAt(e) < 0x80
                    : s.charAt(e) >= '0' && s.charAt(e) <= '9')) {
                e++;
            }
            if (e == d) {
                out.append('&');
                return amp + 1;
            }
            out.append(numeric(s.substring(d, e), hex ? 16 : 10));
            return (e < n && s.charAt(e) == ';') ? e + 1 : e;
        }
        // Python: [^\t\n\f <&#;]{1,32};?
        int e = i;
        while (e < n && e - i < 32) {
            char c = s.charAt(e);
            if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';') {
                break;
            }
            e++;
        }
        if (e == i) {
            out.append('&');
            return amp + 1;
        }
        boolean semi = e < n && s.charAt(e) == ';';
        String name = s.substring(i, e);
        String hit = semi ? WITH_SEMI.get(name) : NO_SEMI.get(name);
        int end = semi ? e + 1 : e;
        if (hit != null) {
            out.append(hit);
            return end;
        }
        // Longest legacy name that is a prefix (of at least 2 characters) of the reference.
        String ref = semi ? name + ";" : name;
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = ref.substring(0, x);
            String v = prefix.endsWith(";") ? WITH_SEMI.get(prefix.substring(0, x - 1)) : NO_SEMI.get(prefix);
            if (v != null) {
                out.append(v).append(ref, x, ref.length());
                return end;
            }
        }
        out.append('&').append(ref);
        return end;
    }

    private static String numeric(String digits, int radix) {
        int start = 0;
        while (start < digits.length() - 1 && digits.charAt(start) == '0') {
            start++;
        }
        String d = digits.substring(start);
        if (d.length() > 8) {
            return "\uFFFD";
        }
        long num = Long.parseLong(d, radix);
        String invalid = INVALID_CHARREFS.get((int) Math.min(num, Integer.MAX_VALUE));
        if (invalid != null) {
            return invalid;
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            return "\uFFFD";
        }
        int cp = (int) num;
        if ((cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            return "";
        }
        return new String(Character.toChars(cp));
    }
}
