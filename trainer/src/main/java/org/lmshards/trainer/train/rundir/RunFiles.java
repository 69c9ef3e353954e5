package org.lmshards.trainer.train.rundir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import com.fasterxml.jackson.databind.JsonNode;

/** File names inside a run directory and the JSON-lines logs written there. */
public final class RunFiles {
    public static final String CONFIG = "config.json", VOCAB = "vocab.json", MODEL = "model.zip",
            CHECKPOINT = "checkpoint.zip", METRICS = "metrics.jsonl", STEPS = "steps.jsonl", REPORT = "report.html";
    /** The marker that only run directories have ({@link RunDirectoryGuard}). */
    public static final String MARKER = ".lmshards-run";

    private RunFiles() {
    }

    /** Appends one JSON line and flushes it (a crash loses at most the line being written). */
    public static void appendLine(Path file, Object record) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(SnakeCaseJson.line(record));
            w.write('\n');
        } catch (IOException e) {
            throw new IOException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Keeps only the lines that parse and satisfy {@code keep} (rewritten atomically): on resume,
     * drops what an interrupted run logged after its last checkpoint, and a torn last line.
     */
    public static void retainLines(Path file, Predicate<JsonNode> keep) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                JsonNode node = SnakeCaseJson.MAPPER.readTree(line);
                if (node != null && node.isObject() && keep.test(node)) {
                    kept.add(line);
                }
            } catch (IOException torn) {
                // a partially written line from a crash: dropped
            }
        }
        AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
    }
}
