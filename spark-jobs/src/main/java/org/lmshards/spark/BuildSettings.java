package org.lmshards.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.lmshards.spark.csv.TextColumn;
import org.lmshards.spark.io.GivenVocabulary;
import org.lmshards.spark.tokens.TrainVocabulary;

/**
 * What one run of the job is asked to do: the command line once {@link PreprocessJob} has
 * checked it. The job reports invalid values and combinations as usage errors before it builds
 * one; the constructor only guards against a caller that skipped those checks.
 *
 * @param valid          the validation input; null: no valid split
 * @param vocab          a {@code vocab.json} to numericalize with; null: build the vocabulary
 * @param vocabExtend    with {@code vocab}: at most this many new train tokens (0: none)
 * @param partitions     tokenizing partitions; null: from Spark's default parallelism and the input size
 * @param readChunkBytes the size of a read unit of a large file; null: from the input size
 * @param force          rebuild even on a cache hit
 */
public record BuildSettings(String train, String valid, String output, TextColumn column, boolean header, int minFreq,
                            int maxVocab, String vocab, int vocabExtend, long shardTokens, Integer partitions,
                            BadRowPolicy onBadRow, Long readChunkBytes, boolean force) {
    public BuildSettings {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(onBadRow, "onBadRow");
        if (minFreq < 1 || maxVocab < 1 || shardTokens < 1 || vocabExtend < 0 || (vocab == null && vocabExtend != 0)
                || (partitions != null && partitions < 1) || (readChunkBytes != null && readChunkBytes < 1)) {
            throw new IllegalArgumentException("invalid settings: " + this);
        }
    }

    /**
     * meta.json's {@code settings}, which the cache check compares: with {@code --vocab} the given
     * file's SHA-256 and {@code --vocab-extend} instead of the build's {@code min_freq} and
     * {@code max_vocab} ({@code min_freq} stays when new tokens may be added: it admits them).
     * Without {@code --vocab} the keys are those of earlier versions, so their datasets stay cache hits.
     *
     * @param given the vocabulary of {@code --vocab}; null without it
     */
    public Map<String, Object> metaSettings(GivenVocabulary given) {
        Map<String, Object> s = new LinkedHashMap<>();
        if (given == null) {
            s.put("min_freq", minFreq);
            s.put("max_vocab", maxVocab);
        } else {
            s.put("vocab_sha256", given.sha256());
            s.put("vocab_extend", vocabExtend);
            if (vocabExtend > 0) {
                s.put("min_freq", TrainVocabulary.EXTEND_MIN_FREQ);
            }
        }
        s.put("shard_tokens", shardTokens);
        s.put("text_column", column.toString());
        s.put("header", header);
        s.put("on_bad_row", onBadRow.name());
        return s;
    }
}
