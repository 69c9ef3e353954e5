package org.lmshards.trainer.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG, so that report.html needs no script or network: axes with
 * "nice" ticks (1, 2, 5 times a power of ten), grid, axis titles, a legend, and series drawn as
 * polylines (optionally with hoverable markers). Non-finite values are left out.
 */
final class SvgChart {

    static final int WIDTH = 880;
    static final int HEIGHT = 320;
    private static final double LEFT = 72;
    private static final double RIGHT = WIDTH - 24;
    private static final double TOP = 16;
    private static final double BOTTOM = HEIGHT - 52;

    /** How a series is drawn. */
    enum Style {
        /** Thin and translucent, for noisy raw values under a smoothed line. */
        FAINT,
        LINE,
        /** A line with a circle (and tooltip) per point: few points, such as epochs. */
        MARKERS
    }

    private record Series(String name, String color, Style style, double[] xs, double[] ys) {
    }

    private record Marker(double x, String label) {
    }

    /** Generous width of one label character at the label font size, and the step between label rows. */
    private static final double LABEL_CHAR_WIDTH = 7, LABEL_ROW_HEIGHT = 14;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private boolean integerX;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** X values are whole numbers (epochs): integer ticks, half a unit of padding on each side. */
    SvgChart integerX() {
        integerX = true;
        return this;
    }

    SvgChart series(String name, String color, Style style, double[] xs, double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("xs and ys differ in length");
        }
        series.add(new Series(name, color, style, xs, ys));
        return this;
    }

    /**
     * The lowest label row where a label from {@code from} to {@code to} (pixels) overlaps no
     * label already placed (issue 25: two lr-find suggestions close together printed one label
     * on top of the other); records it there.
     */
    private static int labelRow(List<double[]> rows, double from, double to) {
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r)[0] <= from) {
                rows.get(r)[0] = to;
                return r;
            }
        }
        rows.add(new double[] {to});
        return rows.size() - 1;
    }

    /** A dashed vertical line with a label (an epoch boundary on a per-step chart). */
    SvgChart marker(double x, String label) {
        markers.add(new Marker(x, label));
        return this;
    }

    String render() {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH)
                .append(' ').append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(Html.escape(title))
                .append("\">\n<title>").append(Html.escape(title)).append("</title>\n");
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                if (finite(s.xs[i], s.ys[i])) {
                    minX = Math.min(minX, s.xs[i]);
                    maxX = Math.max(maxX, s.xs[i]);
                    minY = Math.min(minY, s.ys[i]);
                    maxY = Math.max(maxY, s.ys[i]);
                }
            }
        }
        svg.append("<rect class=\"frame\" x=\"").append(fmt(LEFT)).append("\" y=\"").append(fmt(TOP))
                .append("\" width=\"").append(fmt(RIGHT - LEFT)).append("\" height=\"").append(fmt(BOTTOM - TOP))
                .append("\" fill=\"#fff\" stroke=\"#c8ccd2\"/>\n");
        if (minX > maxX) {
            svg.append("<text class=\"empty\" x=\"").append(fmt((LEFT + RIGHT) / 2)).append("\" y=\"").append(fmt((TOP + BOTTOM) / 2))
                    .append("\" text-anchor=\"middle\" fill=\"#6b7280\" font-size=\"15\">no data yet</text>\n");
            axisTitles(svg);
            return svg.append("</svg>\n").toString();
        }

        Axis x = integerX ? Axis.integer(minX, maxX) : Axis.continuous(minX, maxX, 8, false);
        Axis y = Axis.continuous(minY, maxY, 6, true);

        // Grid and y ticks
        for (double v : y.ticks()) {
            double py = py(y, v);
            svg.append("<line class=\"grid\" x1=\"").append(fmt(LEFT)).append("\" x2=\"").append(fmt(RIGHT))
                    .append("\" y1=\"").append(fmt(py)).append("\" y2=\"").append(fmt(py))
                    .append("\" stroke=\"#eceef1\"/>\n");
            svg.append("<text class=\"tick\" x=\"").append(fmt(LEFT - 8)).append("\" y=\"").append(fmt(py + 4))
                    .append("\" text-anchor=\"end\">").append(y.label(v)).append("</text>\n");
        }
        // x ticks
        for (double v : x.ticks()) {
            double px = px(x, v);
            svg.append("<line class=\"xtick\" x1=\"").append(fmt(px)).append("\" x2=\"").append(fmt(px))
                    .append("\" y1=\"").append(fmt(BOTTOM)).append("\" y2=\"").append(fmt(BOTTOM + 5))
                    .append("\" stroke=\"#6b7280\"/>\n");
            svg.append("<text class=\"tick\" x=\"").append(fmt(px)).append("\" y=\"").append(fmt(BOTTOM + 19))
                    .append("\" text-anchor=\"middle\">").append(x.label(v)).append("</text>\n");
        }
        List<double[]> rows = new ArrayList<>(); // per label row: the right end of its last label
        for (Marker m : markers.stream().sorted(java.util.Comparator.comparingDouble(Marker::x)).toList()) {
            if (m.x < x.lo() || m.x > x.hi()) {
                continue;
            }
            double px = px(x, m.x);
            svg.append("<line class=\"boundary\" x1=\"").append(fmt(px)).append("\" x2=\"").append(fmt(px))
                    .append("\" y1=\"").append(fmt(TOP)).append("\" y2=\"").append(fmt(BOTTOM))
                    .append("\" stroke=\"#9aa1ab\" stroke-dasharray=\"4 4\"/>\n");
            int row = labelRow(rows, px + 4, px + 4 + LABEL_CHAR_WIDTH * m.label.length());
            svg.append("<text class=\"boundary-label\" x=\"").append(fmt(px + 4)).append("\" y=\"")
                    .append(fmt(BOTTOM - 6 - LABEL_ROW_HEIGHT * row)).append("\">").append(Html.escape(m.label))
                    .append("</text>\n");
        }
        for (Series s : series) {
            StringBuilder points = new StringBuilder();
            int count = 0;
            for (int i = 0; i < s.xs.length; i++) {
                if (finite(s.xs[i], s.ys[i])) {
                    if (count++ > 0) {
                        points.append(' ');
                    }
                    points.append(fmt(px(x, s.xs[i]))).append(',').append(fmt(py(y, s.ys[i])));
                }
            }
            String width = s.style == Style.FAINT ? "1" : "2.2";
            String opacity = s.style == Style.FAINT ? "0.35" : "1";
            svg.append("<polyline class=\"series\" data-series=\"").append(Html.escape(s.name))
                    .append("\" data-points=\"").append(count).append("\" fill=\"none\" stroke=\"").append(s.color)
                    .append("\" stroke-width=\"").append(width).append("\" stroke-opacity=\"").append(opacity)
                    .append("\" stroke-linejoin=\"round\" points=\"").append(points).append("\"/>\n");
            if (s.style == Style.MARKERS) {
                for (int i = 0; i < s.xs.length; i++) {
                    if (finite(s.xs[i], s.ys[i])) {
                        svg.append("<circle class=\"marker\" cx=\"").append(fmt(px(x, s.xs[i]))).append("\" cy=\"")
                                .append(fmt(py(y, s.ys[i]))).append("\" r=\"3.5\" fill=\"").append(s.color)
                                .append("\"><title>").append(Html.escape(s.name)).append(", ")
                                .append(Html.escape(xLabel)).append(' ').append(x.label(s.xs[i])).append(": ")
                                .append(String.format(Locale.ROOT, "%.4f", s.ys[i])).append("</title></circle>\n");
                    }
                }
            }
        }
        legend(svg);
        axisTitles(svg);
        return svg.append("</svg>\n").toString();
    }

    private void legend(StringBuilder svg) {
        int longest = series.stream().mapToInt(s -> s.name.length()).max().orElse(0);
        double width = 40 + longest * 7.2;
        double height = 10 + series.size() * 18;
        double left = RIGHT - width - 8;
        double top = TOP + 8;
        svg.append("<g class=\"legend\"><rect x=\"").append(fmt(left)).append("\" y=\"").append(fmt(top))
                .append("\" width=\"").append(fmt(width)).append("\" height=\"").append(fmt(height))
                .append("\" fill=\"#fff\" fill-opacity=\"0.9\" stroke=\"#d9dce1\" rx=\"4\"/>\n");
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            double cy = top + 14 + i * 18;
            svg.append("<line x1=\"").append(fmt(left + 8)).append("\" x2=\"").append(fmt(left + 28))
                    .append("\" y1=\"").append(fmt(cy)).append("\" y2=\"").append(fmt(cy)).append("\" stroke=\"")
                    .append(s.color).append("\" stroke-width=\"").append(s.style == Style.FAINT ? "2" : "2.5")
                    .append("\" stroke-opacity=\"").append(s.style == Style.FAINT ? "0.45" : "1").append("\"/>");
            svg.append("<text x=\"").append(fmt(left + 34)).append("\" y=\"").append(fmt(cy + 4)).append("\">")
                    .append(Html.escape(s.name)).append("</text>\n");
        }
        svg.append("</g>\n");
    }

    private void axisTitles(StringBuilder svg) {
        svg.append("<text class=\"axis-title\" x=\"").append(fmt((LEFT + RIGHT) / 2)).append("\" y=\"")
                .append(HEIGHT - 10).append("\" text-anchor=\"middle\">").append(Html.escape(xLabel)).append("</text>\n");
        double cy = (TOP + BOTTOM) / 2;
        svg.append("<text class=\"axis-title\" x=\"18\" y=\"").append(fmt(cy)).append("\" text-anchor=\"middle\"")
                .append(" transform=\"rotate(-90 18 ").append(fmt(cy)).append(")\">").append(Html.escape(yLabel))
                .append("</text>\n");
    }

    private static boolean finite(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y);
    }

    private static double px(Axis a, double v) {
        return LEFT + (v - a.lo()) / (a.hi() - a.lo()) * (RIGHT - LEFT);
    }

    private static double py(Axis a, double v) {
        return BOTTOM - (v - a.lo()) / (a.hi() - a.lo()) * (BOTTOM - TOP);
    }

    static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** An axis: its drawn range, tick positions and tick label precision. */
    record Axis(double lo, double hi, double step, int decimals) {

        /** Ticks every 1, 2 or 5 times a power of ten; {@code extend} widens the range to whole ticks. */
        static Axis continuous(double min, double max, int targetTicks, boolean extend) {
            if (max - min < 1e-12 * Math.max(1, Math.abs(max))) {
                double pad = Math.abs(min) > 0 ? Math.abs(min) * 0.05 : 1;
                min -= pad;
                max += pad;
            }
            double step = niceStep((max - min) / targetTicks);
            double lo = extend ? Math.floor(min / step) * step : min;
            double hi = extend ? Math.ceil(max / step) * step : max;
            return new Axis(lo, hi, step, Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9)));
        }

        /** Whole-number ticks (at most about 12), half a unit of padding so edge points are not clipped. */
        static Axis integer(double min, double max) {
            double step = Math.max(1, niceStep((max - min) / 10));
            return new Axis(min - 0.5, max + 0.5, Math.ceil(step), 0);
        }

        static double niceStep(double rough) {
            double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
            double n = rough / magnitude;
            double nice = n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10;
            return nice * magnitude;
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            long first = (long) Math.ceil(lo / step - 1e-9);
            for (long k = first; k * step <= hi + step * 1e-9; k++) {
                ticks.add(k * step);
            }
            return ticks;
        }

        String label(double v) {
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }
}
