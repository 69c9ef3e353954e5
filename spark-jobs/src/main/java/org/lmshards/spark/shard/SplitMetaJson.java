package org.lmshards.spark.shard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lmshards.core.shard.SplitMeta;

/**
 * The job's {@code meta.json}: core's {@link SplitMeta} plus the optional fields of the Spark
 * job (docs/FORMAT.md), {@code oov_tokens}, {@code oov_rate} and, with {@code --vocab},
 * {@code vocab_source}, placed after {@code rejected_rows}. They stay out of core's record,
 * whose reader requires every field it declares: datasets written before them must still open,
 * and readers ignore fields they do not know.
 */
public final class SplitMetaJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SplitMetaJson() {
    }

    /** Tokens numericalized to {@code xxunk} per token; 0 for a split without tokens. */
    public static double oovRate(long oovTokens, long totalTokens) {
        return totalTokens == 0 ? 0.0 : (double) oovTokens / totalTokens;
    }

    /** The bytes of {@code meta.json}: {@code meta} with the job's fields ({@code vocabSource} null: none). */
    public static byte[] withVocabFields(SplitMeta meta, long oovTokens, Map<String, Object> vocabSource) throws IOException {
        ByteArrayOutputStream core = new ByteArrayOutputStream();
        meta.write(core);
        JsonNode fields = JSON.readTree(core.toByteArray());
        ObjectNode out = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            out.set(f.getKey(), f.getValue());
            if (f.getKey().equals("rejected_rows")) {
                out.put("oov_tokens", oovTokens);
                out.put("oov_rate", oovRate(oovTokens, meta.totalTokens()));
                if (vocabSource != null) {
                    out.set("vocab_source", JSON.valueToTree(vocabSource));
                }
            }
        }
        if (!out.has("oov_tokens")) {
            throw new IllegalStateException("meta.json without rejected_rows: " + fields);
        }
        byte[] json = JSON.writeValueAsBytes(out);
        byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
        withNewline[json.length] = '\n';
        return withNewline;
    }
}
