package org.lmshards.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What a run directory holds for the report: per-epoch metrics, per-step losses, the config. */
record RunData(String runName, List<Epoch> epochs, List<Step> steps, JsonNode config, List<String> notes) {

    static final String METRICS = "metrics.jsonl";
    static final String STEPS = "steps.jsonl";
    static final String CONFIG = "config.json";

    /** One line of metrics.jsonl; NaN where a value is null or missing (no valid split). */
    record Epoch(int epoch, double trainLoss, double validLoss, double validPerplexity, double tokensPerS,
                 double seconds) {
    }

    /** One line of steps.jsonl. */
    record Step(int epoch, long step, double loss, double tokensPerS) {
    }

    static RunData read(Path runDir) throws IOException {
        List<String> notes = new ArrayList<>();
        Path name = runDir.toAbsolutePath().normalize().getFileName();

        JsonLines.Result metrics = JsonLines.read(runDir.resolve(METRICS));
        notes.addAll(metrics.notes());
        if (!metrics.present()) {
            notes.add(METRICS + " does not exist (yet)");
        }
        // After a resume the same epoch or step can appear twice: the later line wins.
        TreeMap<Integer, Epoch> epochs = new TreeMap<>();
        for (JsonNode o : metrics.objects()) {
            double epoch = JsonLines.number(o, "epoch");
            if (Double.isNaN(epoch)) {
                notes.add(METRICS + ": a line without \"epoch\" was skipped");
                continue;
            }
            epochs.put((int) epoch, new Epoch((int) epoch, JsonLines.number(o, "train_loss"),
                    JsonLines.number(o, "valid_loss"), JsonLines.number(o, "valid_perplexity"),
                    JsonLines.number(o, "tokens_per_s"), JsonLines.number(o, "seconds")));
        }

        JsonLines.Result stepLines = JsonLines.read(runDir.resolve(STEPS));
        notes.addAll(stepLines.notes());
        if (!stepLines.present()) {
            notes.add(STEPS + " does not exist (yet)");
        }
        TreeMap<Long, Step> steps = new TreeMap<>();
        for (JsonNode o : stepLines.objects()) {
            double step = JsonLines.number(o, "step");
            if (Double.isNaN(step)) {
                notes.add(STEPS + ": a line without \"step\" was skipped");
                continue;
            }
            double epoch = JsonLines.number(o, "epoch");
            steps.put((long) step, new Step(Double.isNaN(epoch) ? 0 : (int) epoch, (long) step,
                    JsonLines.number(o, "loss"), JsonLines.number(o, "tokens_per_s")));
        }

        JsonNode config = null;
        try {
            config = JsonLines.MAPPER.readTree(Files.readString(runDir.resolve(CONFIG), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            // a report without config is still useful
        } catch (IOException e) {
            notes.add(CONFIG + " cannot be read: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return new RunData(name == null ? runDir.toString() : name.toString(),
                List.copyOf(epochs.values()), List.copyOf(steps.values()), config, notes);
    }
}
