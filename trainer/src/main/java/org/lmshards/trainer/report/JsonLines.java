package org.lmshards.trainer.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON-lines file that a training run may still be appending to, or that a crash cut
 * short: a missing file is empty, and lines that are not a JSON object are skipped with a note
 * (file and line number) instead of failing. A crash mid-write leaves a partial last line; after
 * {@code --resume} appends to the same file that partial line can end up in the middle.
 */
final class JsonLines {

    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // two objects run together (a partial line followed by an appended one) are not one object
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonLines() {
    }

    /** The objects of one file, and what was skipped. */
    record Result(List<JsonNode> objects, List<String> notes, boolean present) {
    }

    static Result read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Result(List.of(), List.of(), false);
        }
        List<JsonNode> objects = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            boolean last = i == lines.size() - 1;
            try {
                JsonNode node = MAPPER.readTree(line);
                if (node != null && node.isObject()) {
                    objects.add(node);
                    continue;
                }
            } catch (JsonProcessingException e) {
                // reported below
            }
            notes.add(file.getFileName() + " line " + (i + 1) + (last ? " (the last line, probably cut short by a"
                    + " crash or still being written)" : "") + " is not a JSON object and was skipped: "
                    + abbreviate(line));
        }
        return new Result(objects, notes, true);
    }

    /** A field as a double: NaN when absent, null or not a number ("NaN"/"Infinity" strings allowed). */
    static double number(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return Double.NaN;
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isTextual()) {
            try {
                return Double.parseDouble(value.textValue());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }
}
