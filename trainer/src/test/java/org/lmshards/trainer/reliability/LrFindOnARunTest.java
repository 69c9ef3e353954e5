package org.lmshards.trainer.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.trainer.train.rundir.RunFiles;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25 item 7, the report: {@code lr-find} on a finished run directory adds its section to
 * that run's {@code report.html} (docs/MODEL.md promised it; nothing rewrote the report), and
 * the suggestion labels of its chart never sit on top of each other.
 */
class LrFindOnARunTest {
    @TempDir
    Path tmp;

    @Test
    void lrFindOnARunAddsItsSectionToTheReportWithLabelsApart() throws Exception {
        Path data = tmp.resolve("ds");
        TinyRuns.writeDataset(data);
        Path run = tmp.resolve("run");
        TinyRuns.Result t = TinyRuns.cli(OutputOwnershipTest.train(data, run));
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(Files.readString(run.resolve(RunFiles.REPORT))).doesNotContain("Learning-rate finder");

        TinyRuns.Result r = TinyRuns.cli(List.of("lr-find", "--data", data.toString(), "--out",
                run.toString(), "--bs", "4", "--seq-len", "12", "--emb", "8", "--hidden", "12", "--layers", "2",
                "--iterations", "40"));
        assertThat(r.code()).as(r.err()).isZero();
        String report = Files.readString(run.resolve(RunFiles.REPORT));
        assertThat(report).contains("<h2>Learning-rate finder</h2>");

        // Each label of the chart: where it starts and its text; labels on one row must not overlap.
        String svg = Files.readString(run.resolve("lr_find.svg"));
        Matcher m = Pattern.compile("<text class=\"boundary-label\" x=\"([-0-9.]+)\" y=\"([-0-9.]+)\">([^<]*)</text>")
                .matcher(svg);
        List<double[]> labels = new ArrayList<>();
        while (m.find()) {
            double x = Double.parseDouble(m.group(1));
            labels.add(new double[] {x, x + 7 * m.group(3).length(), Double.parseDouble(m.group(2))});
        }
        assertThat(labels).as(svg).hasSize(3);
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                double[] a = labels.get(i), b = labels.get(j);
                boolean overlapX = a[0] < b[1] && b[0] < a[1];
                assertThat(overlapX && a[2] == b[2]).as("labels %d and %d overlap", i, j).isFalse();
            }
        }
    }
}
