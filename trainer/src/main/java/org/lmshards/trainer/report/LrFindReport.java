package org.lmshards.trainer.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.lmshards.core.io.LocalFiles;

/**
 * The learning-rate finder's curve as {@code lr_find.svg} (loss against log10 of the learning
 * rate, raw and smoothed, the suggestions as markers) and a small page {@code lr_find.html}
 * around it; {@link HtmlReport} also shows the chart when a run directory holds one.
 */
public final class LrFindReport {
    public static final String SVG = "lr_find.svg", HTML = "lr_find.html";

    private LrFindReport() {
    }

    /**
     * @param suggestions name -> learning rate, in the order to show them (the first is the one printed as "suggested")
     */
    public static void write(Path dir, double[] lrs, double[] losses, double[] smoothed, Map<String, Double> suggestions)
            throws IOException {
        double[] x = new double[lrs.length];
        for (int i = 0; i < lrs.length; i++) {
            x[i] = Math.log10(lrs[i]);
        }
        SvgChart chart = new SvgChart("Learning-rate finder", "log10(learning rate)", "loss (nats/token)")
                .series("batch loss", "#1f6fb4", SvgChart.Style.FAINT, x, losses)
                .series("smoothed (EMA 0.98)", "#0b3d6b", SvgChart.Style.LINE, x, smoothed);
        for (Map.Entry<String, Double> e : suggestions.entrySet()) {
            chart.marker(Math.log10(e.getValue()), e.getKey() + " " + lr(e.getValue()));
        }
        String svg = chart.render().replaceFirst("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ");
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>lmshards learning-rate finder</title>\n")
                .append("<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:920px}")
                .append("svg{width:100%;height:auto}td{padding:2px 12px}</style>\n</head>\n<body>\n")
                .append("<h1>Learning-rate finder</h1>\n").append(svg)
                .append("<table>\n<tr><th>suggestion</th><th>learning rate</th></tr>\n");
        for (Map.Entry<String, Double> e : suggestions.entrySet()) {
            html.append("<tr><td>").append(Html.escape(e.getKey())).append("</td><td>").append(lr(e.getValue()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<p>").append(lrs.length).append(" batches, learning rate ").append(lr(lrs[0]))
                .append(" to ").append(lr(lrs[lrs.length - 1])).append(".</p>\n</body>\n</html>\n");
        writeAtomically(dir.resolve(SVG), svg);
        writeAtomically(dir.resolve(HTML), html.toString());
    }

    static String lr(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        LocalFiles.writeAtomically(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The report's section for a run directory that holds {@link #SVG}, or "" when it does not. */
    static String section(Path runDir) throws IOException {
        Path svg = runDir.resolve(SVG);
        if (!Files.isRegularFile(svg)) {
            return "";
        }
        return "<section>\n<h2>Learning-rate finder</h2>\n" + Files.readString(svg, StandardCharsets.UTF_8)
                + "<p class=\"caption\">From <code>trainer.jar lr-find</code>; the suggestions are in " + HTML + ".</p>\n</section>\n";
    }
}
