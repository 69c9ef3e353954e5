package org.lmshards.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.lmshards.core.LmShardsVersion;

/**
 * Writes {@code RUN_DIR/report.html} from the run's {@code metrics.jsonl}, {@code steps.jsonl}
 * and {@code config.json}: a single self-contained file (inline CSS and SVG, no script, no
 * network) with the loss per step, the losses and validation perplexity per epoch, a table of
 * epochs and the configuration. Safe to call while training is still appending to the files.
 */
public final class HtmlReport {

    /** The report's file name inside the run directory. */
    public static final String FILE_NAME = "report.html";

    /** Above this many steps the per-step chart draws every k-th step (the smoothing uses all). */
    static final int MAX_STEP_POINTS = 2000;

    /** fastai's smoothing of the training loss in its recorder: a debiased moving average. */
    static final double SMOOTHING_BETA = 0.98;

    private static final String TRAIN_COLOR = "#1f6fb4";
    private static final String VALID_COLOR = "#e8710a";
    private static final String PERPLEXITY_COLOR = "#2a9d3f";
    private static final String DASH = "&#8211;";

    private HtmlReport() {
    }

    /**
     * Reads the run directory and (re)writes its report atomically (temporary file, then rename).
     *
     * @return the report's path
     */
    public static Path write(Path runDir) throws IOException {
        RunData data = RunData.read(runDir);
        String html = render(data, Instant.now()).replace("</main>\n", LrFindReport.section(runDir) + "</main>\n");
        Path target = runDir.resolve(FILE_NAME);
        Path tmp = Files.createTempFile(runDir, FILE_NAME + ".", ".tmp");
        try {
            try {
                // createTempFile makes it owner-only; a report is for anyone who can read the run.
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep its defaults
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(html.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    static String render(RunData data, Instant now) {
        StringBuilder html = new StringBuilder(64 * 1024);
        String name = Html.escape(data.runName());
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>lmshards training report: ").append(name).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n")
                .append("<h1>Training report <span class=\"run\">").append(name).append("</span></h1>\n")
                .append("<p class=\"meta\">Generated ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(now.atOffset(ZoneOffset.UTC).withNano(0)))
                .append(" UTC by lmshards ").append(Html.escape(LmShardsVersion.get()))
                .append(" from metrics.jsonl, steps.jsonl and config.json.</p>\n");
        summary(html, data);
        if (!data.notes().isEmpty()) {
            html.append("<div class=\"notes\"><strong>Notes on the input</strong><ul>\n");
            for (String note : data.notes()) {
                html.append("<li>").append(Html.escape(note)).append("</li>\n");
            }
            html.append("</ul></div>\n");
        }
        stepChart(html, data.steps());
        epochCharts(html, data.epochs());
        epochTable(html, data.epochs());
        config(html, data.config());
        html.append("</main>\n</body>\n</html>\n");
        return html.toString();
    }

    private static void summary(StringBuilder html, RunData data) {
        List<RunData.Epoch> epochs = data.epochs();
        html.append("<dl class=\"summary\">\n");
        item(html, "epochs", Integer.toString(epochs.size()));
        item(html, "steps logged", Integer.toString(data.steps().size()));
        OptionalInt best = IntStream.range(0, epochs.size())
                .filter(i -> Double.isFinite(perplexity(epochs.get(i))))
                .reduce((a, b) -> perplexity(epochs.get(b)) < perplexity(epochs.get(a)) ? b : a);
        item(html, "best valid perplexity", best.isPresent()
                ? num(perplexity(epochs.get(best.getAsInt())), 2) + " (epoch " + epochs.get(best.getAsInt()).epoch() + ")"
                : DASH);
        RunData.Epoch last = epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
        item(html, "last train loss", last == null ? DASH : num(last.trainLoss(), 4));
        item(html, "last valid loss", last == null ? DASH : num(last.validLoss(), 4));
        double seconds = epochs.stream().mapToDouble(RunData.Epoch::seconds).filter(Double::isFinite).sum();
        item(html, "training time", epochs.isEmpty() ? DASH : duration(seconds));
        double tokensPerS = epochs.stream().mapToDouble(RunData.Epoch::tokensPerS).filter(Double::isFinite)
                .average().orElse(Double.NaN);
        item(html, "mean tokens/s", num(tokensPerS, 0));
        fineTuning(html, data.config());
        html.append("</dl>\n");
    }

    /** Where a fine-tuned run came from and where its frozen epochs end (config.json's init_from, freeze_epochs). */
    private static void fineTuning(StringBuilder html, JsonNode config) {
        if (config == null || !config.isObject()) {
            return;
        }
        JsonNode from = config.path("init_from");
        if (from.isObject()) {
            item(html, "initialised from", Html.escape(from.path("run").asText()) + " (" + from.path("copied").asInt()
                    + " token rows copied, " + from.path("added").asInt() + " new)");
        }
        int frozen = config.path("freeze_epochs").asInt(0);
        if (frozen > 0) {
            item(html, "layers trained", Html.escape("embedding and output only in epochs 1-" + frozen
                    + ", all layers from epoch " + (frozen + 1)));
        }
    }

    private static void item(StringBuilder html, String term, String valueHtml) {
        html.append("<div><dt>").append(Html.escape(term)).append("</dt><dd>").append(valueHtml).append("</dd></div>\n");
    }

    private static void stepChart(StringBuilder html, List<RunData.Step> steps) {
        int n = steps.size();
        double[] smooth = smoothed(steps.stream().mapToDouble(RunData.Step::loss).toArray());
        int stride = Math.max(1, (n + MAX_STEP_POINTS - 1) / MAX_STEP_POINTS);
        List<Integer> drawn = new ArrayList<>();
        for (int i = 0; i < n; i += stride) {
            drawn.add(i);
        }
        if (n > 0 && drawn.get(drawn.size() - 1) != n - 1) {
            drawn.add(n - 1);
        }
        double[] xs = new double[drawn.size()];
        double[] raw = new double[drawn.size()];
        double[] ema = new double[drawn.size()];
        for (int k = 0; k < drawn.size(); k++) {
            RunData.Step s = steps.get(drawn.get(k));
            xs[k] = s.step();
            raw[k] = s.loss();
            ema[k] = smooth[drawn.get(k)];
        }
        SvgChart chart = new SvgChart("Training loss per step", "step", "loss (nats/token)")
                .series("batch loss", TRAIN_COLOR, SvgChart.Style.FAINT, xs, raw)
                .series("smoothed (EMA " + SMOOTHING_BETA + ")", "#0b3d6b", SvgChart.Style.LINE, xs, ema);
        for (int i = 1; i < n; i++) {
            if (steps.get(i).epoch() != steps.get(i - 1).epoch()) {
                chart.marker(steps.get(i).step(), "epoch " + steps.get(i).epoch());
            }
        }
        html.append("<section>\n<h2>Training loss per step</h2>\n");
        if (stride > 1) {
            html.append("<p class=\"caption\">").append(n).append(" steps; one in every ").append(stride)
                    .append(" is drawn, the smoothed line uses all of them.</p>\n");
        }
        html.append(chart.render()).append("</section>\n");
    }

    /** Debiased exponential moving average; NaN values are skipped (the previous average carries). */
    static double[] smoothed(double[] values) {
        double[] out = new double[values.length];
        double mov = 0;
        int count = 0;
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i])) {
                mov = SMOOTHING_BETA * mov + (1 - SMOOTHING_BETA) * values[i];
                count++;
            }
            out[i] = count == 0 ? Double.NaN : mov / (1 - Math.pow(SMOOTHING_BETA, count));
        }
        return out;
    }

    /** Why train loss sits above valid loss, which surprises people used to frameworks that report it without dropout. */
    static final String DROPOUT_NOTE = "<p class=\"note\">The train loss is the mean over the epoch's batches as"
            + " trained, with dropout on (as fastai reports it), so it is usually higher than the valid loss, which is"
            + " measured without dropout.</p>\n";

    private static void epochCharts(StringBuilder html, List<RunData.Epoch> epochs) {
        double[] xs = epochs.stream().mapToDouble(RunData.Epoch::epoch).toArray();
        double[] train = epochs.stream().mapToDouble(RunData.Epoch::trainLoss).toArray();
        double[] valid = epochs.stream().mapToDouble(RunData.Epoch::validLoss).toArray();
        double[] ppl = epochs.stream().mapToDouble(HtmlReport::perplexity).toArray();
        html.append("<section>\n<h2>Loss per epoch</h2>\n")
                .append(new SvgChart("Train and valid loss per epoch", "epoch", "loss (nats/token)").integerX()
                        .series("train loss", TRAIN_COLOR, SvgChart.Style.MARKERS, xs, train)
                        .series("valid loss", VALID_COLOR, SvgChart.Style.MARKERS, xs, valid)
                        .render())
                .append(DROPOUT_NOTE)
                .append("</section>\n<section>\n<h2>Validation perplexity per epoch</h2>\n")
                .append(new SvgChart("Validation perplexity per epoch", "epoch", "perplexity").integerX()
                        .series("valid perplexity", PERPLEXITY_COLOR, SvgChart.Style.MARKERS, xs, ppl)
                        .render())
                .append("</section>\n");
    }

    private static double perplexity(RunData.Epoch e) {
        return Double.isFinite(e.validPerplexity()) ? e.validPerplexity() : Math.exp(e.validLoss());
    }

    private static void epochTable(StringBuilder html, List<RunData.Epoch> epochs) {
        html.append("<section>\n<h2>Epochs</h2>\n<table class=\"epochs\">\n<thead><tr><th>epoch</th><th>train loss</th>")
                .append("<th>valid loss</th><th>valid perplexity</th><th>tokens/s</th><th>seconds</th></tr></thead>\n<tbody>\n");
        if (epochs.isEmpty()) {
            html.append("<tr><td colspan=\"6\" class=\"none\">no epoch finished yet</td></tr>\n");
        }
        for (RunData.Epoch e : epochs) {
            html.append("<tr><td>").append(e.epoch()).append("</td><td>").append(num(e.trainLoss(), 4))
                    .append("</td><td>").append(num(e.validLoss(), 4)).append("</td><td>")
                    .append(num(perplexity(e), 2)).append("</td><td>").append(num(e.tokensPerS(), 0))
                    .append("</td><td>").append(num(e.seconds(), 1)).append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private static void config(StringBuilder html, JsonNode config) {
        html.append("<section>\n<h2>Configuration</h2>\n");
        if (config == null || !config.isObject()) {
            html.append("<p class=\"none\">config.json not found.</p>\n</section>\n");
            return;
        }
        html.append("<table class=\"config\">\n<tbody>\n");
        flatten("", config, html);
        html.append("</tbody>\n</table>\n</section>\n");
    }

    /** One row per scalar; nested objects become dotted keys, arrays stay JSON. */
    private static void flatten(String prefix, JsonNode node, StringBuilder html) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject() && value.size() > 0) {
                flatten(key + ".", value, html);
            } else {
                String text = value.isTextual() ? value.textValue() : value.toString();
                html.append("<tr><th>").append(Html.escape(key)).append("</th><td>").append(Html.escape(text))
                        .append("</td></tr>\n");
            }
        }
    }

    private static String num(double v, int decimals) {
        if (Double.isNaN(v)) {
            return DASH;
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "&#8734;" : "&#8722;&#8734;";
        }
        return String.format(Locale.ROOT, decimals == 0 ? "%,.0f" : "%." + decimals + "f", v);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    private static final String CSS = """
            body { margin: 0; background: #f6f7f9; color: #1f2328;
                   font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            main { max-width: 920px; margin: 0 auto; padding: 24px 20px 48px; }
            h1 { font-size: 24px; margin: 0 0 4px; }
            h1 .run { color: #57606a; font-weight: 500; }
            h2 { font-size: 17px; margin: 14px 0 6px; }
            .meta, .caption { color: #57606a; font-size: 13px; margin: 0 0 12px; }
            section { background: #fff; border: 1px solid #d9dce1; border-radius: 8px; padding: 4px 16px 14px; margin-top: 18px; }
            .summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; margin: 16px 0 0; }
            .summary div { background: #fff; border: 1px solid #d9dce1; border-radius: 8px; padding: 8px 12px; }
            .summary dt { color: #57606a; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
            .summary dd { margin: 2px 0 0; font-size: 19px; font-weight: 600; font-variant-numeric: tabular-nums; }
            .notes { background: #fff8e6; border: 1px solid #f0d58c; border-radius: 8px; padding: 8px 14px; margin-top: 16px; font-size: 13px; }
            .notes ul { margin: 4px 0 0; padding-left: 20px; }
            svg.chart { width: 100%; height: auto; display: block; font-size: 12px; fill: #1f2328; }
            svg .tick { fill: #57606a; font-variant-numeric: tabular-nums; }
            svg .axis-title { fill: #1f2328; font-size: 13px; }
            svg .boundary-label { fill: #6b7280; font-size: 11px; }
            svg .marker:hover { r: 5.5; }
            table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
            th, td { padding: 5px 10px; border-bottom: 1px solid #eceef1; text-align: right; }
            thead th { color: #57606a; font-weight: 600; font-size: 13px; border-bottom: 2px solid #d9dce1; }
            table.config th { text-align: left; font-weight: 500; color: #57606a; width: 40%; font-family: ui-monospace, monospace; font-size: 13px; }
            table.config td { text-align: left; font-family: ui-monospace, monospace; font-size: 13px; word-break: break-all; }
            .none { color: #57606a; text-align: left; }
            """;
}
