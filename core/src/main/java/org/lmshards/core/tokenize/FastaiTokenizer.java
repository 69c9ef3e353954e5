package org.lmshards.core.tokenize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * fastai's default word tokenizer ({@code Tokenizer.from_df} with {@code WordTokenizer}, i.e.
 * spaCy English), in Java. Like fastai 2, it applies the text rules
 * {@code fix_html, replace_rep, replace_wrep, spec_add_spaces, rm_useless_spaces,
 * replace_all_caps, replace_maj, lowercase} to the document, splits the result with
 * {@link EnglishWordSplitter}, and applies {@code replace_space} to each token. Every document
 * starts with {@code xxbos}; there is no {@code xxeos}.
 *
 * <p>Immutable and thread-safe: all patterns are compiled once, per-call state lives on the stack.
 * See docs/TOKENIZER.md for the rules and for every known difference from fastai + spaCy.
 */
public final class FastaiTokenizer {
    private static final FastaiTokenizer DEFAULTS = new FastaiTokenizer();
    private static final Map<String, Object> SETTINGS;

    static {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("library", "fastai");
        s.put("text_proc_rules", List.of("fix_html", "replace_rep", "replace_wrep", "spec_add_spaces",
                "rm_useless_spaces", "replace_all_caps", "replace_maj", "lowercase"));
        s.put("fix_html_extra", List.of(" @,@ -> ,"));
        // Ordered: Map.of iterates in a per-JVM random order, which made meta.json differ between runs.
        s.put("lowercase", new java.util.TreeMap<>(Map.of("add_bos", true, "add_eos", false)));
        s.put("word_tokenizer", "spacy-en-compatible (lmshards EnglishWordSplitter)");
        s.put("text_postproc_rules", List.of("replace_space"));
        s.put("special_tokens", SpecialTokens.ALL);
        SETTINGS = java.util.Collections.unmodifiableMap(s);
    }

    private final EnglishWordSplitter splitter = new EnglishWordSplitter();

    private FastaiTokenizer() {
    }

    /** The fastai default pipeline with the English (spaCy-compatible) splitter. */
    public static FastaiTokenizer defaults() {
        return DEFAULTS;
    }

    /** Tokens of one document; the first is always {@code xxbos}. */
    public List<String> tokenize(String document) {
        List<String> out = new ArrayList<>(Math.max(16, document.length() / 4));
        tokenize(document, out::add);
        return out;
    }

    /** Hands the tokens of one document to {@code sink}, in order, without building a list. */
    public void tokenize(String document, Consumer<String> sink) {
        Consumer<String> out = withReplaceSpace(sink);
        forEachChunk(document, chunk -> splitter.splitChunk(chunk, out));
    }

    /**
     * The same tokens as {@link #tokenize(String, Consumer)}, taking each chunk's tokens from
     * {@code memo} when it has seen the chunk before: 1.2 times as fast on WikiText-like text
     * (docs/BENCHMARKS.md). Use one memo per thread, across the documents of a corpus.
     */
    public void tokenize(String document, ChunkMemo<String[]> memo, Consumer<String> sink) {
        Objects.requireNonNull(memo, "memo");
        Objects.requireNonNull(sink, "sink");
        List<String> scratch = new ArrayList<>();
        Consumer<String> collect = withReplaceSpace(scratch::add);
        forEachChunk(document, chunk -> {
            String[] tokens = memo.get(chunk);
            if (tokens == null) {
                scratch.clear();
                splitter.splitChunk(chunk, collect);
                tokens = scratch.toArray(new String[0]);
                memo.put(chunk, tokens);
            }
            for (String t : tokens) {
                sink.accept(t);
            }
        });
    }

    /**
     * Applies the text rules to {@code document} and hands its chunks to {@code sink}, in order:
     * the pieces that spaCy's tokenizer splits one at a time (the text cut at single spaces;
     * other whitespace is a chunk of its own). The document's tokens are, in order, those of
     * {@link #splitChunk} on each chunk, and a chunk's tokens depend on the chunk alone, so a
     * caller may remember them per chunk ({@link ChunkMemo}).
     */
    public void forEachChunk(String document, Consumer<String> sink) {
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(sink, "sink");
        splitter.forEachChunk(preprocess(document), sink);
    }

    /** The tokens of one chunk of {@link #forEachChunk}, {@code replace_space} applied, in order. */
    public void splitChunk(String chunk, Consumer<String> sink) {
        splitter.splitChunk(Objects.requireNonNull(chunk, "chunk"), withReplaceSpace(sink));
    }

    private static Consumer<String> withReplaceSpace(Consumer<String> sink) {
        Objects.requireNonNull(sink, "sink");
        return t -> sink.accept(TextRules.replaceSpace(t));
    }

    /** The text after all of fastai's text rules, as handed to the word splitter. */
    public String preprocess(String document) {
        String t = TextRules.fixHtml(document);
        t = TextRules.replaceRep(t);
        t = TextRules.replaceWrep(t);
        t = TextRules.specAddSpaces(t);
        t = TextRules.rmUselessSpaces(t);
        t = TextRules.replaceAllCapsThenMaj(t);
        return TextRules.lowercase(t);
    }

    /** A stable name for meta.json. */
    public String name() {
        return "fastai-default";
    }

    /** The rules and their parameters, for meta.json (immutable, JSON-friendly). */
    public Map<String, Object> settings() {
        return SETTINGS;
    }
}
