package org.lmshards.tools.synth;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A deterministic generator of WikiText-like corpora in fastai's CSV layout: one article per
 * row, no header, the article in one RFC 4180 quoted field spanning many lines, embedded
 * {@code "} doubled.
 *
 * <p>Articles follow WikiText-103's conventions: a {@code  = Title = } line, {@code  = = Section = = }
 * (and {@code  = = = Subsection = = = }) headings, paragraphs of space-separated tokens with
 * {@code  @-@ }, {@code  @,@ }, {@code  @.@ } joins, {@code <unk>}, parentheses, quotes,
 * numbers, capitalised and all-capital words and the odd accented letter. Words are drawn from
 * a Zipf-Mandelbrot law over {@value #RANKS} ranks, so the vocabulary keeps growing with the corpus size
 * the way real text does (Heaps' law).
 *
 * <p>The same seed and size give byte-identical output on every JVM: the random generator is
 * SplitMix64 and every floating-point function goes through {@link StrictMath}.
 *
 * <p>Not thread-safe; use one instance per thread.
 */
public final class SyntheticCorpus {
    /** The seed the command line and the benchmarks use unless told otherwise. */
    public static final long DEFAULT_SEED = 42L;
    /** Size of the Zipf support (distinct words the generator can ever produce, about). */
    public static final int RANKS = 1 << 21;
    /**
     * Zipf-Mandelbrot exponent and shift: about 210 k distinct words in 4 M tokens and 1.3 M
     * in 100 M, growing all the way (Heaps' law), with "the" at about 3 % of the words.
     */
    public static final double EXPONENT = 1.3;
    public static final double SHIFT = 8;

    private static final int FUNCTION_RANKS = SyntheticWords.FUNCTION_WORDS.size();
    private static ZipfSampler sharedSampler;
    private static String[] sharedWords;

    private final SplitMix64 rnd;
    private final ZipfSampler zipf;
    private final String[] words;   // rank -> word, filled lazily; shared because word() is pure

    public SyntheticCorpus(long seed) {
        this.rnd = new SplitMix64(seed);
        synchronized (SyntheticCorpus.class) {
            if (sharedSampler == null) {
                sharedSampler = new ZipfSampler(RANKS, EXPONENT, SHIFT);
                sharedWords = new String[RANKS + 1];
            }
            this.zipf = sharedSampler;
            this.words = sharedWords;
        }
    }

    /**
     * Writes articles as CSV rows until at least {@code targetBytes} bytes are written; the last
     * article is shortened so that the output exceeds the target by at most one paragraph.
     *
     * @return the number of bytes written
     */
    public long writeCsv(OutputStream out, long targetBytes) throws IOException {
        if (targetBytes <= 0) {
            throw new IllegalArgumentException("targetBytes must be > 0: " + targetBytes);
        }
        long written = 0;
        while (written < targetBytes) {
            long remaining = targetBytes - written;
            int planned = rnd.between(2_000, 40_000);   // wikitext-tiny averages about 21 kB an article
            byte[] row = csvRow(article((int) Math.min(planned, remaining)));
            out.write(row);
            written += row.length;
        }
        return written;
    }

    /**
     * Writes a corpus file atomically (a temporary sibling, then a rename), so that an
     * interrupted run never leaves a file that looks complete.
     *
     * @return the number of bytes written
     */
    public static long writeCsv(Path file, long seed, long targetBytes) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        // not Files.createTempFile: its owner-only permissions would stick to the corpus
        Path tmp = parent.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            long n;
            try (OutputStream out = new BufferedOutputStream(
                    Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
                n = new SyntheticCorpus(seed).writeCsv(out, targetBytes);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return n;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The CSV row of one article: quoted, embedded quotes doubled, LF-terminated. */
    static byte[] csvRow(String article) {
        StringBuilder sb = new StringBuilder(article.length() + 64);
        sb.append('"');
        for (int i = 0; i < article.length(); i++) {
            char c = article.charAt(i);
            if (c == '"') {
                sb.append('"');
            }
            sb.append(c);
        }
        sb.append("\"\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One article of about {@code targetChars} characters (at least a title and a paragraph). */
    String article(int targetChars) {
        StringBuilder sb = new StringBuilder(targetChars + 2048);
        sb.append(" \n = ").append(title()).append(" = \n \n");
        int lead = rnd.between(1, 3);
        for (int i = 0; i < lead && (i == 0 || sb.length() < targetChars); i++) {
            paragraph(sb);
        }
        int sections = 0;
        while (sb.length() < targetChars) {
            boolean sub = sections > 0 && rnd.chance(0.3);
            String eq = sub ? "= = =" : "= =";
            sb.append(" \n ").append(eq).append(' ').append(heading()).append(' ').append(eq).append(" \n \n");
            sections++;
            int paragraphs = rnd.between(1, 4);
            for (int i = 0; i < paragraphs && (i == 0 || sb.length() < targetChars); i++) {
                paragraph(sb);
            }
        }
        sb.append(" \n");
        return sb.toString();
    }

    private String title() {
        int n = rnd.between(1, 3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(capitalise(contentWord()));
        }
        return sb.toString();
    }

    private String heading() {
        int n = rnd.between(1, 3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(i == 0 ? capitalise(contentWord()) : word());
        }
        return sb.toString();
    }

    private void paragraph(StringBuilder sb) {
        sb.append(' ');
        int sentences = rnd.between(2, 8);
        for (int s = 0; s < sentences; s++) {
            sentence(sb);
            sb.append(' ');
        }
        sb.append('\n');
    }

    /** Appends tokens separated by single spaces, ending with " ." (no trailing space). */
    private void sentence(StringBuilder sb) {
        int len = rnd.between(5, 32);
        for (int i = 0; i < len; i++) {
            boolean first = i == 0;
            double r = rnd.nextDouble();
            if (r < 0.035) {
                sb.append("<unk>");
            } else if (r < 0.06) {
                number(sb);
            } else if (r < 0.07) {
                String w = word();
                sb.append(first ? capitalise(w) : w).append(" @-@ ").append(word());
            } else if (r < 0.077 && !first) {
                sb.append("( ");
                phrase(sb, rnd.between(1, 5));
                sb.append(" )");
            } else if (r < 0.082 && !first) {
                sb.append("\" ");
                phrase(sb, rnd.between(1, 4));
                sb.append(" \"");
            } else {
                String w = word();
                sb.append(first ? capitalise(w) : w);
                if (rnd.chance(0.007)) {
                    sb.append(" 's");
                }
            }
            if (i < len - 1) {
                double p = rnd.nextDouble();
                if (p < 0.07) {
                    sb.append(" ,");
                } else if (p < 0.075) {
                    sb.append(" ;");
                } else if (p < 0.078) {
                    sb.append(" :");
                }
                sb.append(' ');
            }
        }
        sb.append(" .");
    }

    private void phrase(StringBuilder sb, int n) {
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            if (rnd.chance(0.1)) {
                number(sb);
            } else {
                sb.append(word());
            }
        }
    }

    private void number(StringBuilder sb) {
        int kind = rnd.nextInt(10);
        switch (kind) {
            case 0, 1, 2 -> sb.append(rnd.between(1500, 2015));                                   // year
            case 3, 4, 5 -> sb.append(rnd.between(0, 99));                                       // small count
            case 6 -> sb.append(rnd.between(0, 99)).append(" @.@ ").append(rnd.between(0, 9));   // decimal
            case 7 -> {                                                                           // thousands
                sb.append(rnd.between(1, 999)).append(" @,@ ");
                int low = rnd.between(0, 999);
                if (low < 100) {
                    sb.append('0');
                }
                if (low < 10) {
                    sb.append('0');
                }
                sb.append(low);
            }
            default -> {                                                                          // range
                int a = rnd.between(1, 60);
                sb.append(a).append(" – ").append(a + rnd.between(1, 20));
            }
        }
    }

    private String word() {
        int rank = zipf.sample(rnd);
        String w = words[rank];
        if (w == null) {
            w = SyntheticWords.word(rank);
            words[rank] = w;   // benign race: String is immutable and word() is pure
        }
        return w;
    }

    /** A word outside the function-word ranks, for titles and headings. */
    private String contentWord() {
        for (int attempt = 0; attempt < 16; attempt++) {
            int rank = zipf.sample(rnd);
            if (rank > FUNCTION_RANKS) {
                return SyntheticWords.word(rank);
            }
        }
        return SyntheticWords.word(FUNCTION_RANKS + 1 + rnd.nextInt(10_000));
    }

    private static String capitalise(String w) {
        if (w.isEmpty() || Character.isUpperCase(w.charAt(0))) {
            return w;
        }
        return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }
}
