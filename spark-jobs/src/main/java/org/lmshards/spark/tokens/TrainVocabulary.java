package org.lmshards.spark.tokens;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.io.GivenVocabulary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataset's vocabulary from the train split's token blocks: built from a distributed count,
 * or given ({@code --vocab}) and optionally extended by that count ({@code --vocab-extend}).
 */
public final class TrainVocabulary {
    private static final Logger LOG = LoggerFactory.getLogger(TrainVocabulary.class);
    /** The count a train token needs to join a given vocabulary with --vocab-extend: a built vocabulary's default. */
    public static final int EXTEND_MIN_FREQ = Vocabulary.DEFAULT_MIN_FREQ;

    private TrainVocabulary() {
    }

    /** The {@code maxVocab} most frequent train tokens that occur at least {@code minFreq} times, after the special ones. */
    public static Vocabulary build(JavaRDD<TokenBlock> train, int parts, int minFreq, int maxVocab) {
        // Tokens under min_freq can never enter the vocabulary, so they stay on the executors.
        Map<String, Long> frequent = TokenCounts.frequent(train, parts, minFreq);
        Vocabulary vocab = Vocabulary.build(frequent, minFreq, maxVocab);
        LOG.info("Vocabulary: {} tokens ({} train tokens occur at least {} times)", vocab.size(), frequent.size(), minFreq);
        return vocab;
    }

    /**
     * The given vocabulary, with up to {@code extend} new tokens: those of the train split that a
     * built vocabulary would admit ({@link #EXTEND_MIN_FREQ}), most common first.
     */
    public static Vocabulary given(GivenVocabulary given, JavaRDD<TokenBlock> train, int parts, int extend) {
        if (extend == 0) {
            LOG.info("Vocabulary: {} tokens, given by {}", given.vocab().size(), given.file().path());
            return given.vocab();
        }
        Map<String, Long> frequent = TokenCounts.frequent(train, parts, EXTEND_MIN_FREQ);
        Vocabulary vocab = given.vocab().extend(frequent, EXTEND_MIN_FREQ, extend,
                (int) Math.min(Integer.MAX_VALUE, (long) given.vocab().maxVocab() + extend));
        LOG.info("Vocabulary: {} tokens, given by {} ({} entries) and extended with {} new train token(s) (at most {})",
                vocab.size(), given.file().path(), given.vocab().size(), given.addedTokens(vocab), extend);
        return vocab;
    }

    /** The dataset's {@code vocab.json}: a byte copy of the given file when the vocabulary is that file's, unchanged. */
    public static byte[] json(Vocabulary vocab, GivenVocabulary given) throws IOException {
        if (given != null && vocab == given.vocab()) {
            return given.bytes();
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        vocab.write(b);
        return b.toByteArray();
    }
}
