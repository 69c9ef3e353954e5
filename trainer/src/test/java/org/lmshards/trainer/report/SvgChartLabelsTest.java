package org.lmshards.trainer.report;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 25 item 7: marker labels close together go on separate rows; labels far apart share the bottom row. */
class SvgChartLabelsTest {
    @Test
    void labelsThatWouldOverlapGoOnSeparateRows() {
        String svg = new SvgChart("t", "x", "y")
                .series("s", "#000", SvgChart.Style.LINE, new double[] {-7, 1}, new double[] {1, 2})
                .marker(-3.00, "valley 1.18e-04").marker(-2.95, "minimum/10 1.30e-04").marker(0.5, "steep 3.00e+00")
                .render();
        Matcher m = Pattern.compile("class=\"boundary-label\" x=\"[-0-9.]+\" y=\"([-0-9.]+)\"").matcher(svg);
        List<String> ys = new ArrayList<>();
        while (m.find()) {
            ys.add(m.group(1));
        }
        assertThat(ys).hasSize(3);
        assertThat(ys.get(0)).as("the two close labels").isNotEqualTo(ys.get(1));
        assertThat(ys.get(2)).as("a label far from the others stays on the bottom row").isEqualTo(ys.get(0));
    }
}
