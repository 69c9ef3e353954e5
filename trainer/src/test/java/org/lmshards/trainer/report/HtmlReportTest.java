package org.lmshards.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

    private static final Pattern POLYLINE =
            Pattern.compile("<polyline class=\"series\" data-series=\"([^\"]*)\" data-points=\"(\\d+)\"[^>]* points=\"([^\"]*)\"/>");

    @TempDir
    Path run;

    /** Three epochs of metrics and 50 steps per epoch, both files ending in a line cut short. */
    private void writeSampleRun() throws IOException {
        StringBuilder metrics = new StringBuilder();
        for (int e = 1; e <= 3; e++) {
            double valid = 5.0 - 0.3 * e;
            metrics.append(String.format(Locale.ROOT, "{\"epoch\":%d,\"train_loss\":%.3f,\"valid_loss\":%.3f,"
                    + "\"valid_perplexity\":%.3f,\"tokens_per_s\":51234.5,\"seconds\":62.5}%n", e, 5.2 - 0.35 * e, valid,
                    Math.exp(valid)));
        }
        metrics.append("{\"epoch\":4,\"train_loss\":4.");
        Files.writeString(run.resolve("metrics.jsonl"), metrics);
        StringBuilder steps = new StringBuilder();
        for (int s = 1; s <= 150; s++) {
            steps.append(String.format(Locale.ROOT, "{\"epoch\":%d,\"step\":%d,\"loss\":%.4f,\"tokens_per_s\":50000.0}%n",
                    (s - 1) / 50 + 1, s, 9.0 * Math.exp(-s / 40.0) + 4 + 0.2 * Math.sin(s)));
        }
        steps.append("{\"epoch\":4,\"step\":151,\"lo");
        Files.writeString(run.resolve("steps.jsonl"), steps);
        Files.writeString(run.resolve("config.json"),
                "{\"bs\":64,\"seq_len\":72,\"lr\":0.005,\"model\":{\"emb\":400,\"hidden\":1152,\"layers\":3},"
                        + "\"data\":\"/data/wikitext-tiny\",\"dropouts\":[0.6,0.4]}");
    }

    private String report() throws IOException {
        Path written = HtmlReport.write(run);
        assertThat(written).isEqualTo(run.resolve("report.html"));
        return Files.readString(written, StandardCharsets.UTF_8);
    }

    private static int points(String html, String series) {
        Matcher m = POLYLINE.matcher(html);
        while (m.find()) {
            if (m.group(1).equals(series)) {
                int declared = Integer.parseInt(m.group(2));
                int actual = m.group(3).isBlank() ? 0 : m.group(3).trim().split(" ").length;
                assertThat(actual).as("points drawn for %s", series).isEqualTo(declared);
                return actual;
            }
        }
        throw new AssertionError("no series " + series);
    }

    private static int count(String html, String needle) {
        return html.split(Pattern.quote(needle), -1).length - 1;
    }

    @Test
    void chartsTablesAndNotesFromSampleFilesWithTruncatedLastLines() throws IOException {
        writeSampleRun();
        String html = report();

        assertThat(count(html, "<svg")).isEqualTo(3);
        assertThat(count(html, "</svg>")).isEqualTo(3);
        assertThat(points(html, "batch loss")).isEqualTo(150);
        assertThat(points(html, "smoothed (EMA 0.98)")).isEqualTo(150);
        assertThat(points(html, "train loss")).isEqualTo(3);
        assertThat(points(html, "valid loss")).isEqualTo(3);
        assertThat(points(html, "valid perplexity")).isEqualTo(3);
        assertThat(count(html, "<circle class=\"marker\"")).isEqualTo(9);
        // epoch boundaries on the per-step chart
        assertThat(html).contains(">epoch 2</text>").contains(">epoch 3</text>");

        assertThat(html).contains("metrics.jsonl line 4 (the last line, probably cut short")
                .contains("steps.jsonl line 151 (the last line");
        assertThat(count(html, "<tr><td>")).isEqualTo(3);
        assertThat(html).contains("<tr><td>2</td><td>4.5000</td><td>4.4000</td><td>81.45</td><td>51,235</td><td>62.5</td></tr>");
        assertThat(html).contains("<tr><th>model.hidden</th><td>1152</td></tr>")
                .contains("<tr><th>dropouts</th><td>[0.6,0.4]</td></tr>")
                .contains("<tr><th>data</th><td>/data/wikitext-tiny</td></tr>");
        assertThat(html).contains("best valid perplexity</dt><dd>60.34 (epoch 3)");
        // issue 15 item 9: why train loss is above valid loss
        assertThat(html).contains("with dropout on").contains("measured without dropout");
    }

    @Test
    void selfContainedAndOffline() throws IOException {
        writeSampleRun();
        String html = report();
        assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("<script")
                .doesNotContain("<link").doesNotContain("src=").doesNotContain("@import").doesNotContain("url(");
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    }

    @Test
    void missingFilesGiveAReportSayingSo() throws IOException {
        String html = report();
        assertThat(count(html, "<svg")).isEqualTo(3);
        assertThat(count(html, ">no data yet</text>")).isEqualTo(3);
        assertThat(html).contains("metrics.jsonl does not exist (yet)").contains("steps.jsonl does not exist (yet)")
                .contains("config.json not found").contains("no epoch finished yet");
    }

    @Test
    void allTextIsEscaped() throws IOException {
        Path odd = Files.createDirectory(run.resolve("run <b>&\"x\""));
        Files.writeString(odd.resolve("config.json"), "{\"note<i>\":\"</td><script>alert(1)</script>\"}");
        Files.writeString(odd.resolve("metrics.jsonl"), "<img src=x onerror=alert(1)>\n"
                + "{\"epoch\":1,\"train_loss\":5,\"valid_loss\":4.5,\"valid_perplexity\":90,\"tokens_per_s\":1,\"seconds\":1}\n");
        String html = Files.readString(HtmlReport.write(odd));
        assertThat(html).doesNotContain("<script").doesNotContain("<img").doesNotContain("<b>").doesNotContain("<i>");
        assertThat(html).contains("run &lt;b&gt;&amp;&quot;x&quot;")
                .contains("<tr><th>note&lt;i&gt;</th><td>&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>")
                .contains("metrics.jsonl line 1 is not a JSON object and was skipped: &lt;img src=x");
    }

    @Test
    void noValidSplitLeavesValidSeriesEmpty() throws IOException {
        Files.writeString(run.resolve("metrics.jsonl"),
                "{\"epoch\":1,\"train_loss\":5.1,\"valid_loss\":null,\"valid_perplexity\":null,\"tokens_per_s\":100.0,\"seconds\":2.0}\n"
                        + "{\"epoch\":2,\"train_loss\":4.9,\"valid_loss\":null,\"valid_perplexity\":null,\"tokens_per_s\":100.0,\"seconds\":2.0}\n");
        String html = report();
        assertThat(points(html, "train loss")).isEqualTo(2);
        assertThat(points(html, "valid loss")).isZero();
        assertThat(count(html, ">no data yet</text>")).isEqualTo(2); // steps and perplexity
        assertThat(html).contains("<tr><td>1</td><td>5.1000</td><td>&#8211;</td><td>&#8211;</td>");
    }

    @Test
    void resumedRunKeepsTheLastLinePerEpochAndStepAndSkipsAMidFileFragment() throws IOException {
        Files.writeString(run.resolve("metrics.jsonl"),
                "{\"epoch\":1,\"train_loss\":5.0,\"valid_loss\":4.0,\"valid_perplexity\":54.6,\"tokens_per_s\":1,\"seconds\":1}\n"
                        + "{\"epoch\":2,\"train_loss\":9.0,\"valid_loss\":9.0,\"valid_perplexity\":8103.1,\"tokens_per_s\":1,\"seconds\":1}\n"
                        + "{\"epoch\":2,\"train_loss\":4.5,\"valid_loss\":3.9,\"valid_perplexity\":49.4,\"tokens_per_s\":1,\"seconds\":1}\n");
        // a crash cut line 3 short; the resumed run appended after it
        Files.writeString(run.resolve("steps.jsonl"),
                "{\"epoch\":1,\"step\":1,\"loss\":6.0}\n{\"epoch\":1,\"step\":2,\"loss\":5.5}\n{\"epoch\":1,\"st"
                        + "{\"epoch\":1,\"step\":2,\"loss\":5.4}\n{\"epoch\":1,\"step\":3,\"loss\":5.2}\n");
        String html = report();
        assertThat(points(html, "train loss")).isEqualTo(2);
        assertThat(points(html, "batch loss")).isEqualTo(3);
        assertThat(html).contains("<tr><td>2</td><td>4.5000</td>").doesNotContain("8103.1")
                .contains("steps.jsonl line 3 is not a JSON object and was skipped");
    }

    @Test
    void replacesAnOldReportAndLeavesNoTemporaryFile() throws IOException {
        writeSampleRun();
        Files.writeString(run.resolve("report.html"), "old");
        String html = report();
        assertThat(html).startsWith("<!DOCTYPE html>");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve("report.html"))))
                .isEqualTo("rw-r--r--");
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("metrics.jsonl", "steps.jsonl", "config.json", "report.html");
        }
    }

    @Test
    void manyStepsAreThinnedButKeepTheLast() throws IOException {
        StringBuilder steps = new StringBuilder();
        for (int s = 1; s <= 5001; s++) {
            steps.append("{\"epoch\":1,\"step\":").append(s).append(",\"loss\":").append(5 + (s % 7) * 0.1).append("}\n");
        }
        Files.writeString(run.resolve("steps.jsonl"), steps);
        String html = report();
        int drawn = points(html, "batch loss");
        assertThat(drawn).isBetween(1000, HtmlReport.MAX_STEP_POINTS + 1);
        assertThat(html).contains("5001 steps; one in every 3 is drawn");
        Matcher m = POLYLINE.matcher(html);
        assertThat(m.find()).isTrue();
        String[] pts = m.group(3).split(" ");
        assertThat(pts[pts.length - 1]).startsWith("856,"); // the last step sits on the right edge
    }

    @Test
    void smoothingIsDebiasedAndSkipsNaN() {
        assertThat(HtmlReport.smoothed(new double[] {4, 4, 4})).containsExactly(new double[] {4, 4, 4},
                org.assertj.core.data.Offset.offset(1e-9));
        double[] s = HtmlReport.smoothed(new double[] {Double.NaN, 2, Double.NaN, 2});
        assertThat(s[0]).isNaN();
        assertThat(s[1]).isCloseTo(2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s[2]).isCloseTo(2, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void niceAxes() {
        SvgChart.Axis y = SvgChart.Axis.continuous(3.1, 9.8, 6, true);
        assertThat(y.step()).isEqualTo(1.0);
        assertThat(y.ticks()).containsExactly(3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
        assertThat(y.label(4)).isEqualTo("4");
        SvgChart.Axis small = SvgChart.Axis.continuous(4.41, 4.52, 6, true);
        assertThat(small.step()).isEqualTo(0.02, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(small.label(4.44)).isEqualTo("4.44");
        SvgChart.Axis epochs = SvgChart.Axis.integer(1, 3);
        assertThat(epochs.ticks()).containsExactly(1.0, 2.0, 3.0);
        assertThat(SvgChart.Axis.integer(1, 40).ticks()).hasSizeBetween(8, 12);
        assertThat(SvgChart.Axis.continuous(5, 5, 6, true).ticks()).isNotEmpty();
        assertThat(HtmlReport.duration(62.5)).isEqualTo("1 min 03 s");
        assertThat(List.of(HtmlReport.duration(3725), HtmlReport.duration(42.25))).containsExactly("1 h 02 min", "42.3 s");
    }
}
