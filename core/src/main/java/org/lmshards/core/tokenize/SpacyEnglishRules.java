package org.lmshards.core.tokenize;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * spaCy's English tokenizer data, transcribed into Java regexes: the prefix, suffix and infix
 * rules ({@code spacy/lang/punctuation.py}, {@code spacy/lang/en/punctuation.py}, character
 * classes from {@code spacy/lang/char_classes.py}), the URL pattern, and the special cases
 * ({@code spacy/lang/tokenizer_exceptions.py}, {@code spacy/lang/en/tokenizer_exceptions.py}) plus
 * fastai's special tokens. Where a character class is approximated, docs/TOKENIZER.md says how.
 */
final class SpacyEnglishRules {
    private SpacyEnglishRules() {
    }

    // spaCy's ALPHA / ALPHA_LOWER / ALPHA_UPPER list Latin, Greek, Cyrillic and some uncased
    // scripts; Unicode letter categories approximate them (uncased scripts are Lo).
    static final String ALPHA = "\\p{L}";
    static final String ALPHA_LOWER = "\\p{Ll}\\p{Lo}";
    static final String ALPHA_UPPER = "\\p{Lu}\\p{Lo}";
    /** spaCy's ICONS (a list of So code points), approximated by Unicode category So. */
    static final String ICONS = "\\p{So}";

    private static final String[] PUNCT = {"\u2026", "\u2026\u2026", ",", ":", ";", "\\!", "\\?", "\u00BF", "\u061F",
        "\u00A1", "\\(", "\\)", "\\[", "\\]", "\\{", "\\}", "<", ">", "_", "#", "\\*", "&", "\u3002", "\uFF1F",
        "\uFF01", "\uFF0C", "\u3001", "\uFF1B", "\uFF1A", "\uFF5E", "\u00B7", "\u0964", "\u060C", "\u06D4",
        "\u061B", "\u066A"};
    private static final String[] QUOTES = {"'", "\"", "\u201D", "\u201C", "`", "\u2018", "\u00B4", "\u2019",
        "\u201A", ",", "\u201E", "\u00BB", "\u00AB", "\u300C", "\u300D", "\u300E", "\u300F", "\uFF08", "\uFF09",
        "\u3014", "\u3015", "\u3010", "\u3011", "\u300A", "\u300B", "\u3008", "\u3009"};
    private static final String[] ELLIPSES = {"\\.\\.+", "\u2026"};
    private static final String[] CURRENCY = {"\\$", "\u00A3", "\u20AC", "\u00A5", "\u0E3F", "US\\$", "C\\$", "A\\$",
        "\u20BD", "\uFDFC", "\u20B4"};
    private static final String UNITS = String.join("|", ("km km\u00B2 km\u00B3 m m\u00B2 m\u00B3 dm dm\u00B2 dm\u00B3 "
            + "cm cm\u00B2 cm\u00B3 mm mm\u00B2 mm\u00B3 ha \u00B5m nm yd in ft kg g mg \u00B5g t lb oz m/s km/h kmh mph "
            + "hPa Pa mbar mb MB kb KB gb GB tb TB T G M K % \u043A\u043C \u043A\u043C\u00B2 \u043A\u043C\u00B3 \u043C "
            + "\u043C\u00B2 \u043C\u00B3 \u0434\u043C \u0434\u043C\u00B2 \u0434\u043C\u00B3 \u0441\u043C "
            + "\u0441\u043C\u00B2 \u0441\u043C\u00B3 \u043C\u043C \u043C\u043C\u00B2 \u043C\u043C\u00B3 \u043D\u043C "
            + "\u043A\u0433 \u0433 \u043C\u0433 \u043C/\u0441 \u043A\u043C/\u0447 \u043A\u041F\u0430 \u041F\u0430 "
            + "\u043C\u0431\u0430\u0440 \u041A\u0431 \u041A\u0411 \u043A\u0431 \u041C\u0431 \u041C\u0411 \u043C\u0431 "
            + "\u0413\u0431 \u0413\u0411 \u0433\u0431 \u0422\u0431 \u0422\u0411 \u0442\u0431").split(" "));
    private static final String HYPHENS = "-|\u2013|\u2014|--|---|\u2014\u2014|~";
    /** spaCy's CONCAT_QUOTES as the inside of a character class. */
    private static final String Q_CLASS = "'\"\u201D\u201C`\u2018\u00B4\u2019\u201A,\u201E\u00BB\u00AB\u300C\u300D"
            + "\u300E\u300F\uFF08\uFF09\u3014\u3015\u3010\u3011\u300A\u300B\u3008\u3009";
    /**
     * The inside of spaCy's class {@code [0-9{al}{e}{p}(?:{q})]} (before a suffix period): PUNCT is
     * pasted in as {@code a|b|...}, so '|' and the characters of "(?:" and ")" are members too.
     */
    private static final String PERIOD_LOOKBEHIND = "0-9" + ALPHA_LOWER + "%\u00B2\\-\\+|\u2026,:;!?\u00BF\u061F\u00A1"
            + "()\\[\\]{}<>_#*&\u3002\uFF1F\uFF01\uFF0C\u3001\uFF1B\uFF1A\uFF5E\u00B7\u0964\u060C\u06D4\u061B\u066A"
            + Q_CLASS;

    static final Pattern PREFIX;
    static final Pattern SUFFIX;
    static final Pattern INFIX;
    static final Pattern URL;
    /** Special cases: whole strings that become the listed tokens. */
    static final Map<String, String[]> SPECIALS;

    static {
        List<String> p = new ArrayList<>(List.of("\u00A7", "%", "=", "\u2014", "\u2013", "\\+(?![0-9])"));
        Collections.addAll(p, PUNCT);
        Collections.addAll(p, ELLIPSES);
        Collections.addAll(p, QUOTES);
        Collections.addAll(p, CURRENCY);
        p.add("[" + ICONS + "]");
        PREFIX = Pattern.compile("^(?:" + String.join("|", p) + ")");

        List<String> s = new ArrayList<>();
        Collections.addAll(s, PUNCT);
        Collections.addAll(s, ELLIPSES);
        Collections.addAll(s, QUOTES);
        s.add("[" + ICONS + "]");
        Collections.addAll(s, "'s", "'S", "\u2019s", "\u2019S", "\u2014", "\u2013");
        s.add("(?<=[0-9])\\+");
        s.add("(?<=\u00B0[FfCcKk])\\.");
        s.add("(?<=[0-9])(?:" + String.join("|", CURRENCY) + ")");
        s.add("(?<=[0-9])(?:" + UNITS + ")");
        s.add("(?<=[" + PERIOD_LOOKBEHIND + "])\\.");
        s.add("(?<=[" + ALPHA_UPPER + "][" + ALPHA_UPPER + "])\\.");
        SUFFIX = Pattern.compile("(?:" + String.join("|", s) + ")$");

        List<String> in = new ArrayList<>();
        Collections.addAll(in, ELLIPSES);
        in.add("[" + ICONS + "]");
        in.add("(?<=[0-9])[+\\-\\*^](?=[0-9-])");
        in.add("(?<=[" + ALPHA_LOWER + Q_CLASS + "])\\.(?=[" + ALPHA_UPPER + Q_CLASS + "])");
        in.add("(?<=[" + ALPHA + "]),(?=[" + ALPHA + "])");
        in.add("(?<=[" + ALPHA + "0-9])(?:" + HYPHENS + ")(?=[" + ALPHA + "])");
        in.add("(?<=[" + ALPHA + "0-9])[:<>=/](?=[" + ALPHA + "])");
        INFIX = Pattern.compile(String.join("|", in));

        String host = "[A-Za-z0-9\\u00a1-\\uffff]";
        URL = Pattern.compile("^(?:(?:[\\w\\+\\-\\.]{2,})://)?(?:\\S+(?::\\S*)?@)?(?:"
                + "(?!(?:10|127)(?:\\.\\d{1,3}){3})(?!(?:169\\.254|192\\.168)(?:\\.\\d{1,3}){2})"
                + "(?!172\\.(?:1[6-9]|2\\d|3[0-1])(?:\\.\\d{1,3}){2})(?:[1-9]\\d?|1\\d\\d|2[01]\\d|22[0-3])"
                + "(?:\\.(?:1?\\d{1,2}|2[0-4]\\d|25[0-5])){2}(?:\\.(?:[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-4]))"
                + "|(?:(?:" + host + "[A-Za-z0-9\\u00a1-\\uffff_-]{0,62})?" + host + "\\.)+(?:[" + ALPHA_LOWER
                + "]{2,63}))(?::\\d{2,5})?(?:[/?#]\\S*)?$", Pattern.UNICODE_CHARACTER_CLASS);

        SPECIALS = Collections.unmodifiableMap(buildSpecials());
    }

    private static Map<String, String[]> buildSpecials() {
        Map<String, String[]> m = new HashMap<>(4096);
        // spaCy BASE_EXCEPTIONS
        for (String o : new String[] {" ", "\t", "\\t", "\n", "\\n", "\u2014", "\u00A0", "'", "\\\")", "<space>", "''",
            "C++", "\u00E4.", "\u00F6.", "\u00FC."}) {
            m.put(o, new String[] {o});
        }
        for (char c = 'a'; c <= 'z'; c++) {
            m.put(c + ".", new String[] {c + "."});
        }
        for (String o : EMOTICONS.split(" ")) {
            m.put(o, new String[] {o});
        }
        // spaCy English exceptions
        Map<String, String[]> en = new HashMap<>(4096);
        for (String orth : titled("i")) {
            en.put(orth + "'m", t(orth, "'m"));
            en.put(orth + "m", t(orth, "m"));
            en.put(orth + "'ma", t(orth, "'m", "a"));
            en.put(orth + "ma", t(orth, "m", "a"));
        }
        for (String pron : new String[] {"i", "you", "he", "she", "it", "we", "they"}) {
            for (String orth : titled(pron)) {
                willWould(en, orth);
            }
        }
        for (String pron : new String[] {"i", "you", "we", "they"}) {
            for (String orth : titled(pron)) {
                en.put(orth + "'ve", t(orth, "'ve"));
                en.put(orth + "ve", t(orth, "ve"));
            }
        }
        for (String pron : new String[] {"you", "we", "they"}) {
            for (String orth : titled(pron)) {
                en.put(orth + "'re", t(orth, "'re"));
                en.put(orth + "re", t(orth, "re"));
            }
        }
        for (String pron : new String[] {"he", "she", "it"}) {
            for (String orth : titled(pron)) {
                en.put(orth + "'s", t(orth, "'s"));
                en.put(orth + "s", t(orth, "s"));
            }
        }
        for (String word : new String[] {"who", "what", "when", "where", "why", "how", "there", "that"}) {
            for (String orth : titled(word)) {
                en.put(orth + "'s", t(orth, "'s"));
                en.put(orth + "s", t(orth, "s"));
                willWould(en, orth);
                en.put(orth + "'re", t(orth, "'re"));
                en.put(orth + "re", t(orth, "re"));
                en.put(orth + "'ve", t(orth, "'ve"));
                en.put(orth + "ve", t(orth, "ve"));
            }
        }
        for (String verb : new String[] {"ca", "could", "do", "does", "did", "had", "may", "might", "must", "need",
            "ought", "sha", "should", "wo", "would"}) {
            for (String orth : titled(verb)) {
                en.put(orth + "n't", t(orth, "n't"));
                en.put(orth + "nt", t(orth, "nt"));
                en.put(orth + "n't've", t(orth, "n't", "'ve"));
                en.put(orth + "ntve", t(orth, "nt", "ve"));
            }
        }
        for (String verb : new String[] {"could", "might", "must", "should", "would"}) {
            for (String orth : titled(verb)) {
                en.put(orth + "'ve", t(orth, "'ve"));
                en.put(orth + "ve", t(orth, "ve"));
            }
        }
        for (String verb : new String[] {"ai", "are", "is", "was", "were", "have", "has", "dare"}) {
            for (String orth : titled(verb)) {
                en.put(orth + "n't", t(orth, "n't"));
                en.put(orth + "nt", t(orth, "nt"));
            }
        }
        for (String w : new String[] {"doin", "goin", "nothin", "nuthin", "ol", "somethin"}) {
            for (String orth : titled(w)) {
                en.put(orth, t(orth));
                en.put(orth + "'", t(orth + "'"));
            }
        }
        for (String w : new String[] {"cause", "em", "ll", "nuff"}) {
            en.put(w, t(w));
            en.put("'" + w, t("'" + w));
        }
        for (int h = 1; h <= 12; h++) {
            for (String period : new String[] {"a.m.", "am", "p.m.", "pm"}) {
                en.put(h + period, t(String.valueOf(h), period));
            }
        }
        en.put("y'all", t("y'", "all"));
        en.put("yall", t("y", "all"));
        en.put("how'd'y", t("how", "'d", "'y"));
        en.put("How'd'y", t("How", "'d", "'y"));
        en.put("not've", t("not", "'ve"));
        en.put("notve", t("not", "ve"));
        en.put("Not've", t("Not", "'ve"));
        en.put("Notve", t("Not", "ve"));
        en.put("cannot", t("can", "not"));
        en.put("Cannot", t("Can", "not"));
        en.put("gonna", t("gon", "na"));
        en.put("Gonna", t("Gon", "na"));
        en.put("gotta", t("got", "ta"));
        en.put("Gotta", t("Got", "ta"));
        en.put("let's", t("let", "'s"));
        en.put("Let's", t("Let", "'s"));
        for (String o : ("'S 's \u2018S \u2018s and/or w/o 're 'Cause 'cause 'cos 'Cos 'coz 'Coz 'cuz 'Cuz 'bout "
                + "ma'am Ma'am o'clock O'clock lovin' Lovin' lovin Lovin havin' Havin' havin Havin doin' Doin' doin "
                + "Doin goin' Goin' goin Goin Mt. Ak. Ala. Apr. Ariz. Ark. Aug. Calif. Colo. Conn. Dec. Del. Feb. "
                + "Fla. Ga. Ia. Id. Ill. Ind. Jan. Jul. Jun. Kan. Kans. Ky. La. Mar. Mass. May. Mich. Minn. Miss. "
                + "N.C. N.D. N.H. N.J. N.M. N.Y. Neb. Nebr. Nev. Nov. Oct. Okla. Ore. Pa. S.C. Sep. Sept. Tenn. "
                + "Va. Wash. Wis. 'd a.m. Adm. Bros. co. Co. Corp. D.C. Dr. e.g. E.g. E.G. Gen. Gov. i.e. I.e. "
                + "I.E. Inc. Jr. Ltd. Md. Messrs. Mo. Mont. Mr. Mrs. Ms. p.m. Ph.D. Prof. Rep. Rev. Sen. St. vs. "
                + "v.s.").split(" ")) {
            en.put(o, t(o));
        }
        for (String x : new String[] {"Ill", "ill", "Its", "its", "Hell", "hell", "Shell", "shell", "Shed", "shed",
            "were", "Were", "Well", "well", "Whore", "whore"}) {
            en.remove(x);
        }
        m.putAll(en);
        // fastai adds its special tokens as special cases
        for (String tok : SpecialTokens.ALL) {
            m.put(tok, t(tok));
        }
        return m;
    }

    private static void willWould(Map<String, String[]> en, String orth) {
        en.put(orth + "'ll", t(orth, "'ll"));
        en.put(orth + "ll", t(orth, "ll"));
        en.put(orth + "'ll've", t(orth, "'ll", "'ve"));
        en.put(orth + "llve", t(orth, "ll", "ve"));
        en.put(orth + "'d", t(orth, "'d"));
        en.put(orth + "d", t(orth, "d"));
        en.put(orth + "'d've", t(orth, "'d", "'ve"));
        en.put(orth + "dve", t(orth, "d", "ve"));
    }

    private static String[] titled(String w) {
        return new String[] {w, Character.toUpperCase(w.charAt(0)) + w.substring(1)};
    }

    private static String[] t(String... tokens) {
        return tokens;
    }

    /** spaCy's emoticon list (BASE_EXCEPTIONS), space separated. */
    private static final String EMOTICONS = ":) :-) :)) :-)) :))) :-))) (: (-: =) (= \") :] :-] [: [-: [= =] :o) (o: "
            + ":} :-} 8) 8-) (-8 ;) ;-) (; (-; :( :-( :(( :-(( :((( :-((( ): )-: =( >:( :') :'-) :'( :'-( :/ :-/ =/ "
            + "=| :| :-| ]= =[ :1 :P :-P :p :-p :O :-O :o :-o :0 :-0 :() >:o :* :-* :3 :-3 =3 :> :-> :X :-X :x :-x "
            + ":D :-D ;D ;-D =D xD XD xDD XDD 8D 8-D ^_^ ^__^ ^___^ >.< >.> <.< ._. ;_; -_- -__- v.v V.V v_v V_V "
            + "o_o o_O O_o O_O 0_o o_0 0_0 o.O O.o O.O o.o 0.0 o.0 0.o @_@ <3 <33 <333 </3 (^_^) (-_-) (._.) (>_<) "
            + "(*_*) (\u00AC_\u00AC) \u0CA0_\u0CA0 \u0CA0\uFE35\u0CA0 (\u0CA0_\u0CA0) \u00AF\\(\u30C4)/\u00AF";
}
