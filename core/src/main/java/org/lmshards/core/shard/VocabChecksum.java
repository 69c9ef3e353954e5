package org.lmshards.core.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lmshards.core.ShardFormatException;

/**
 * The checksum of {@code vocab.json} that every split's {@code meta.json} records as
 * {@value #FIELD} (docs/FORMAT.md, "Checksums"), as the shards' checksums are recorded: a flipped
 * byte in the vocabulary (same size, one letter of a token) is caught by every open, by
 * {@code verify} and by the job's cache check. Optional: datasets written before it lack it.
 * Kept out of {@link SplitMeta}, whose reader requires every field it declares.
 */
public final class VocabChecksum {
    public static final String FIELD = "vocab_crc32c";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VocabChecksum() {
    }

    /** CRC32C of the bytes of a {@code vocab.json}. */
    public static long of(byte[] vocabJson) {
        CRC32C crc = new CRC32C();
        crc.update(vocabJson);
        return crc.getValue();
    }

    /** {@code meta.json}'s bytes with {@value #FIELD} added after {@code vocab_size}. */
    public static byte[] addTo(byte[] metaJson, long crc) throws IOException {
        JsonNode fields = JSON.readTree(metaJson);
        ObjectNode out = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            out.set(f.getKey(), f.getValue());
            if (f.getKey().equals("vocab_size")) {
                out.put(FIELD, crc);
            }
        }
        if (!out.has(FIELD)) {
            throw new IllegalArgumentException("meta.json without vocab_size");
        }
        byte[] json = JSON.writeValueAsBytes(out);
        byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
        withNewline[json.length] = '\n';
        return withNewline;
    }

    /** The checksum a {@code meta.json} records, if any. */
    public static OptionalLong recorded(byte[] metaJson) {
        try {
            JsonNode n = JSON.readTree(metaJson).get(FIELD);
            return n != null && n.canConvertToLong() ? OptionalLong.of(n.asLong()) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty(); // a malformed meta.json is SplitMeta.read's to report
        }
    }

    /**
     * Throws {@code <vocab.json>: checksum mismatch ...} when {@code metaFile} records a checksum
     * that {@code vocabFile}'s bytes do not have.
     */
    static void check(Path vocabFile, byte[] metaJson, Path metaFile) throws IOException {
        OptionalLong want = recorded(metaJson);
        if (want.isEmpty()) {
            return;
        }
        long have = of(Files.readAllBytes(vocabFile));
        if (have != want.getAsLong()) {
            throw new ShardFormatException(vocabFile.toString(), "checksum mismatch: CRC32C " + have + " but "
                    + metaFile + " says " + want.getAsLong());
        }
    }
}
