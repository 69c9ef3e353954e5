package org.lmshards.core.shard;

import org.lmshards.core.ShardFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * A split's {@code meta.json} (docs/FORMAT.md): snake_case JSON; unknown fields are ignored so
 * that optional fields can be added without a version bump.
 */
public record SplitMeta(String format, int formatVersion, String split, String dtype, int vocabSize,
        long totalTokens, long numDocs, List<ShardMeta> shards, Map<String, Object> tokenizer,
        Map<String, Object> source, Map<String, Object> settings, long rejectedRows,
        String createdAt, String toolVersion) {

    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    public SplitMeta {
        shards = shards == null ? null : List.copyOf(shards);
    }

    /**
     * The metadata of a split written now, in this version of the format: the one place where
     * writers get {@link ShardLayout#SPLIT_FORMAT} and {@link ShardLayout#FORMAT_VERSION}.
     */
    public static SplitMeta ofCurrentFormat(String split, String dtype, int vocabSize, long totalTokens, long numDocs,
                                            List<ShardMeta> shards, Map<String, Object> tokenizer,
                                            Map<String, Object> source, Map<String, Object> settings,
                                            long rejectedRows, String createdAt, String toolVersion) {
        return new SplitMeta(ShardLayout.SPLIT_FORMAT, ShardLayout.FORMAT_VERSION, split, dtype, vocabSize, totalTokens,
                numDocs, shards, tokenizer, source, settings, rejectedRows, createdAt, toolVersion);
    }

    /** Writes this as meta.json; does not close {@code out}. */
    public void write(OutputStream out) throws IOException {
        JSON.writeValue(out, this);
        out.write('\n');
        out.flush();
    }

    /**
     * Parses meta.json and checks its {@code format} and {@code format_version}; any problem is a
     * {@link ShardFormatException} naming {@code sourceName}. (Consistency with the shards is
     * checked by {@link TokenStore#open}.)
     */
    public static SplitMeta read(InputStream in, String sourceName) throws IOException {
        SplitMeta m;
        try {
            m = JSON.readValue(in, SplitMeta.class);
        } catch (JsonProcessingException e) {
            throw new ShardFormatException(sourceName, "malformed meta.json: " + e.getOriginalMessage(), e);
        }
        if (m == null) {
            throw new ShardFormatException(sourceName, "malformed meta.json: empty");
        }
        if (!ShardLayout.SPLIT_FORMAT.equals(m.format())) {
            throw new ShardFormatException(sourceName, "malformed meta.json: format is '" + m.format()
                    + "', expected '" + ShardLayout.SPLIT_FORMAT + "'");
        }
        if (m.formatVersion() != ShardLayout.FORMAT_VERSION) {
            throw new ShardFormatException(sourceName, "unsupported format_version " + m.formatVersion()
                    + " (this reader supports " + ShardLayout.FORMAT_VERSION + ")");
        }
        if (m.shards() == null || m.split() == null || m.dtype() == null) {
            throw new ShardFormatException(sourceName, "malformed meta.json: split, dtype and shards are required");
        }
        for (int i = 0; i < m.shards().size(); i++) {
            ShardMeta s = m.shards().get(i);
            if (s == null || s.tokensFile() == null || s.docsFile() == null) {
                throw new ShardFormatException(sourceName, "malformed meta.json: shards[" + i
                        + "] lacks tokens_file or docs_file");
            }
        }
        return m;
    }
}
