package org.lmshards.core.vocab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lmshards.core.io.LocalFiles;
import org.lmshards.core.ShardFormatException;
import org.lmshards.core.tokenize.SpecialTokens;

/**
 * Token &lt;-&gt; id mapping with fastai's {@code Numericalize}/{@code make_vocab} semantics; immutable
 * and thread-safe. The rules (and the one tie-break fastai leaves to insertion order) are in
 * docs/FORMAT.md, "Vocabulary rules".
 */
public final class Vocabulary {
    public static final int DEFAULT_MIN_FREQ = 3, DEFAULT_MAX_VOCAB = 60000;

    /** {@code format} of vocab.json. */
    public static final String FORMAT = "lmshards-vocab";
    /** {@code format_version} of vocab.json this code reads and writes. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** Count descending, then token in Unicode code point order (independent of map iteration order). */
    static final Comparator<Map.Entry<String, Long>> MOST_COMMON_FIRST = (a, b) -> {
        int c = Long.compare(b.getValue(), a.getValue());
        return c != 0 ? c : compareCodePoints(a.getKey(), b.getKey());
    };

    private final List<String> itos;
    private final Map<String, Integer> stoi;
    private final int minFreq;
    private final int maxVocab;

    private Vocabulary(List<String> itos, int minFreq, int maxVocab) {
        this.itos = List.copyOf(itos);
        this.minFreq = minFreq;
        this.maxVocab = maxVocab;
        Map<String, Integer> m = new HashMap<>(itos.size() * 2);
        for (int i = 0; i < itos.size(); i++) {
            String t = itos.get(i);
            // Like fastai's o2i: xxfake is padding and never an encoding target.
            if (!SpecialTokens.FAKE.equals(t)) {
                m.putIfAbsent(t, i);
            }
        }
        this.stoi = m;
    }

    /**
     * Builds a vocabulary from token counts with fastai's {@code make_vocab} rules: the
     * {@code maxVocab} most common tokens, those with count {@code >= minFreq}, the nine special
     * tokens moved/inserted at the front, truncation to {@code maxVocab}, then {@code 8 - size % 8}
     * {@code xxfake} entries (so 8 when the size already is a multiple of 8, as in fastai).
     *
     * @param maxVocab at least the number of special tokens (9), so that every special keeps its id
     */
    public static Vocabulary build(Map<String, Long> counts, int minFreq, int maxVocab) {
        Objects.requireNonNull(counts, "counts");
        if (maxVocab < SpecialTokens.ALL.size()) {
            throw new IllegalArgumentException("maxVocab must be at least " + SpecialTokens.ALL.size()
                    + " (the special tokens): " + maxVocab);
        }
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.size());
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("null token or count in counts");
            }
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("negative count " + e.getValue() + " for token '" + e.getKey() + "'");
            }
            entries.add(Map.entry(e.getKey(), e.getValue()));
        }
        // count.most_common(max_vocab), then the min_freq filter (fastai's order of operations)
        List<Map.Entry<String, Long>> mostCommon = mostCommon(entries, maxVocab);
        List<String> vocab = new ArrayList<>(mostCommon.size() + 16);
        for (Map.Entry<String, Long> e : mostCommon) {
            if (e.getValue() >= minFreq) {
                vocab.add(e.getKey());
            }
        }
        // specials removed from wherever they are and put first, in fastai's order
        Set<String> specials = new HashSet<>(SpecialTokens.ALL);
        vocab.removeIf(specials::contains);
        vocab.addAll(0, SpecialTokens.ALL);
        if (vocab.size() > maxVocab) {
            vocab.subList(maxVocab, vocab.size()).clear();
        }
        int pad = 8 - vocab.size() % 8;
        for (int i = 0; i < pad; i++) {
            vocab.add(SpecialTokens.FAKE);
        }
        return new Vocabulary(vocab, minFreq, maxVocab);
    }

    /**
     * The first {@code k} entries in {@link #MOST_COMMON_FIRST} order (all of them, sorted, when
     * there are fewer). Sorting every entry compared millions of rare tokens' code points, as
     * rare counts tie by the hundred thousand: only the entries whose count reaches the
     * {@code k}-th largest count (found by sorting the counts alone) are sorted, which gives the
     * same first {@code k}.
     */
    static List<Map.Entry<String, Long>> mostCommon(List<Map.Entry<String, Long>> entries, int k) {
        List<Map.Entry<String, Long>> kept = entries;
        if (entries.size() > k) {
            long[] counts = new long[entries.size()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = entries.get(i).getValue();
            }
            Arrays.sort(counts);
            long kth = counts[counts.length - k];
            kept = new ArrayList<>();
            for (Map.Entry<String, Long> e : entries) {
                if (e.getValue() >= kth) {
                    kept.add(e);
                }
            }
        }
        kept.sort(MOST_COMMON_FIRST);
        return kept.size() > k ? kept.subList(0, k) : kept;
    }

    /**
     * This vocabulary followed by at most {@code maxNew} new tokens of {@code counts}: tokens not
     * in this {@code itos} whose count is at least {@code minFreq}, most common first (the
     * {@link #build} order and tie-break), then {@code xxfake} padding by the {@link #build} rule.
     * Every entry of this vocabulary keeps its id, its padding included: the old {@code itos} is
     * a prefix of the new one. Returns {@code this} when no token qualifies.
     *
     * @param maxVocab the {@code max_vocab} the result records
     */
    public Vocabulary extend(Map<String, Long> counts, int minFreq, int maxNew, int maxVocab) {
        Objects.requireNonNull(counts, "counts");
        if (maxNew < 0) {
            throw new IllegalArgumentException("maxNew must not be negative: " + maxNew);
        }
        Set<String> known = new HashSet<>(itos);
        List<Map.Entry<String, Long>> candidates = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            // xxfake is padding, never a token, even when the text holds the word
            if (e.getValue() >= minFreq && !known.contains(e.getKey()) && !SpecialTokens.FAKE.equals(e.getKey())) {
                candidates.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        if (candidates.isEmpty() || maxNew == 0) {
            return this;
        }
        List<String> out = new ArrayList<>(itos.size() + Math.min(maxNew, candidates.size()) + 8);
        out.addAll(itos);
        for (Map.Entry<String, Long> e : mostCommon(candidates, maxNew)) {
            out.add(e.getKey());
        }
        int pad = 8 - out.size() % 8;
        for (int i = 0; i < pad; i++) {
            out.add(SpecialTokens.FAKE);
        }
        return new Vocabulary(out, minFreq, maxVocab);
    }

    /** A vocabulary with exactly this {@code itos} (validated as {@link #read} does). */
    public static Vocabulary of(List<String> itos, int minFreq, int maxVocab) {
        String problem = validateItos(itos);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Vocabulary(itos, minFreq, maxVocab);
    }

    public int size() {
        return itos.size();
    }

    public String token(int id) {
        return itos.get(id);
    }

    /** The id of {@code token}; 0 ({@code xxunk}) when unknown (also for {@code xxfake}). */
    public int id(String token) {
        Integer i = stoi.get(token);
        return i == null ? 0 : i;
    }

    public int[] encode(List<String> tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = id(tokens.get(i));
        }
        return ids;
    }

    public List<String> decode(int[] ids, int off, int len) {
        Objects.checkFromIndexSize(off, len, ids.length);
        List<String> out = new ArrayList<>(len);
        for (int i = off; i < off + len; i++) {
            out.add(itos.get(ids[i]));
        }
        return out;
    }

    /** The id-to-token list (immutable). */
    public List<String> itos() {
        return itos;
    }

    public int minFreq() {
        return minFreq;
    }

    public int maxVocab() {
        return maxVocab;
    }

    /** Writes vocab.json (FORMAT.md); does not close {@code out}. */
    public void write(OutputStream out) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", FORMAT_VERSION);
        root.put("size", itos.size());
        root.put("min_freq", minFreq);
        root.put("max_vocab", maxVocab);
        ArrayNode arr = root.putArray("itos");
        itos.forEach(arr::add);
        JSON.writeValue(out, root);
        out.write('\n');
        out.flush();
    }

    /** Writes vocab.json atomically: temporary sibling, fsync, rename. */
    public void write(Path file) throws IOException {
        LocalFiles.writeAtomically(file, this::write);
    }

    /** Reads vocab.json; a malformed file gives a {@link ShardFormatException} naming {@code sourceName}. */
    public static Vocabulary read(InputStream in, String sourceName) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new ShardFormatException(sourceName, "malformed vocab.json: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ShardFormatException(sourceName, "malformed vocab.json: not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !FORMAT.equals(format.asText())) {
            throw new ShardFormatException(sourceName, "malformed vocab.json: format is "
                    + (format == null ? "missing" : "'" + format.asText() + "'") + ", expected '" + FORMAT + "'");
        }
        int version = requireInt(root, "format_version", sourceName);
        if (version != FORMAT_VERSION) {
            throw new ShardFormatException(sourceName, "unsupported vocab.json format_version " + version
                    + " (this reader supports " + FORMAT_VERSION + ")");
        }
        int size = requireInt(root, "size", sourceName);
        int minFreq = requireInt(root, "min_freq", sourceName);
        int maxVocab = requireInt(root, "max_vocab", sourceName);
        JsonNode itosNode = root.get("itos");
        if (itosNode == null || !itosNode.isArray()) {
            throw new ShardFormatException(sourceName, "malformed vocab.json: itos is missing or not an array");
        }
        List<String> itos = new ArrayList<>(itosNode.size());
        for (int i = 0; i < itosNode.size(); i++) {
            JsonNode t = itosNode.get(i);
            if (!t.isTextual()) {
                throw new ShardFormatException(sourceName, "malformed vocab.json: itos[" + i + "] is not a string");
            }
            itos.add(t.textValue());
        }
        if (size != itos.size()) {
            throw new ShardFormatException(sourceName, "malformed vocab.json: size " + size
                    + " but itos has " + itos.size() + " entries");
        }
        String problem = validateItos(itos);
        if (problem != null) {
            throw new ShardFormatException(sourceName, "malformed vocab.json: " + problem);
        }
        return new Vocabulary(itos, minFreq, maxVocab);
    }

    /** Reads vocab.json from a file; a missing or malformed file gives a {@link ShardFormatException}. */
    public static Vocabulary read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new ShardFormatException(file.toString(), "vocab.json missing", e);
        }
    }

    private static int requireInt(JsonNode root, String field, String sourceName) throws ShardFormatException {
        JsonNode n = root.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new ShardFormatException(sourceName, "malformed vocab.json: " + field
                    + " is missing or not an int");
        }
        return n.intValue();
    }

    private static String validateItos(List<String> itos) {
        List<String> specials = SpecialTokens.ALL;
        if (itos.size() < specials.size() || !itos.subList(0, specials.size()).equals(specials)) {
            return "itos must start with the special tokens " + specials;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < itos.size(); i++) {
            String t = itos.get(i);
            if (t == null) {
                return "itos[" + i + "] is null";
            }
            if (!SpecialTokens.FAKE.equals(t) && !seen.add(t)) {
                return "duplicate token '" + t + "' at itos[" + i + "]";
            }
        }
        return null;
    }

    /** Compares strings by Unicode code point (not UTF-16 unit) order. */
    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.itos.equals(itos) && v.minFreq == minFreq && v.maxVocab == maxVocab;
    }

    @Override
    public int hashCode() {
        return itos.hashCode();
    }

    @Override
    public String toString() {
        return "Vocabulary[size=" + itos.size() + ", minFreq=" + minFreq + ", maxVocab=" + maxVocab + "]";
    }
}
