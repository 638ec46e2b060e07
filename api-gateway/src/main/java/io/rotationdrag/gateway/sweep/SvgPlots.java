package io.rotationdrag.gateway.sweep;

import java.util.List;
import java.util.Locale;

/** Small inline-SVG plots for the sweep report (no script, no external assets). */
public final class SvgPlots {
    static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#17becf"};

    private SvgPlots() {
    }

    /** One labelled series of values. */
    public record Series(String label, double[] values) {
    }

    /** One point of a scatter plot, coloured by series index. */
    public record Point(double x, double y, int series) {
    }

    /**
     * Box plot per series (box q1..q3, median line, whiskers min..max) with every value drawn as a dot, on a shared
     * y axis; series without values are labelled "no values".
     */
    public static String distribution(String title, List<Series> series) {
        int w = 120 + 110 * Math.max(1, series.size());
        int h = 260;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : s.values()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        StringBuilder b = header(w, h, title);
        if (lo > hi) {
            return b.append(text(w / 2.0, h / 2.0, "no values", "middle")).append("</svg>").toString();
        }
        if (hi - lo < 1e-12) {
            lo -= 0.5;
            hi += 0.5;
        }
        double top = 30;
        double bottom = h - 40;
        Axis y = new Axis(lo, hi, bottom, top);
        axisY(b, y, 70, w - 10);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            double cx = 120 + 110 * i + 20;
            String col = COLOURS[i % COLOURS.length];
            b.append(text(cx, h - 20, s.label(), "middle"));
            if (s.values().length == 0) {
                b.append(text(cx, (top + bottom) / 2, "no values", "middle"));
                continue;
            }
            MetricStats st = MetricStats.of(s.values(), 0, 0);
            double x0 = cx - 25;
            b.append(line(cx, y.map(st.min()), cx, y.map(st.max()), "#555"));
            b.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"50\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.25\" stroke=\"%s\"/>",
                    x0, y.map(st.q3()), Math.max(1, y.map(st.q1()) - y.map(st.q3())), col, col));
            b.append(line(x0, y.map(st.median()), x0 + 50, y.map(st.median()), col));
            for (int k = 0; k < s.values().length; k++) {
                double jitter = ((k * 37) % 21 - 10) * 1.2; // deterministic spread so equal values stay visible
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                        cx + jitter, y.map(s.values()[k]), col));
            }
        }
        return b.append("</svg>").toString();
    }

    /** Scatter plot (e.g. MD vs rotation angle) with a legend of the series labels. */
    public static String scatter(String title, String xLabel, String yLabel, List<String> labels, List<Point> pts) {
        int w = 520;
        int h = 300;
        StringBuilder b = header(w, h, title);
        if (pts.isEmpty()) {
            return b.append(text(w / 2.0, h / 2.0, "no values", "middle")).append("</svg>").toString();
        }
        double xl = pts.stream().mapToDouble(Point::x).min().orElse(0);
        double xh = pts.stream().mapToDouble(Point::x).max().orElse(1);
        double yl = Math.min(0, pts.stream().mapToDouble(Point::y).min().orElse(0));
        double yh = pts.stream().mapToDouble(Point::y).max().orElse(1);
        if (xh - xl < 1e-12) {
            xl -= 1;
            xh += 1;
        }
        if (yh - yl < 1e-12) {
            yh += 1;
        }
        Axis x = new Axis(xl, xh, 70, w - 20);
        Axis y = new Axis(yl, yh, h - 50, 30);
        axisY(b, y, 70, w - 20);
        for (int k = 0; k <= 4; k++) {
            double v = xl + (xh - xl) * k / 4;
            b.append(text(x.map(v), h - 35, fmt(v), "middle"));
        }
        b.append(text((70 + w - 20) / 2.0, h - 15, xLabel, "middle"));
        b.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 14 %d)\" "
                + "text-anchor=\"middle\">%s</text>", h / 2, h / 2, ReportHtml.esc(yLabel)));
        for (Point p : pts) {
            b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>", x.map(p.x()),
                    y.map(p.y()), COLOURS[p.series() % COLOURS.length]));
        }
        for (int i = 0; i < labels.size(); i++) {
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>",
                    w - 150, 30 + 16 * i, COLOURS[i % COLOURS.length]));
            b.append(text(w - 135, 39 + 16 * i, labels.get(i), "start"));
        }
        return b.append("</svg>").toString();
    }

    private record Axis(double lo, double hi, double from, double to) {
        double map(double v) {
            return from + (v - lo) / (hi - lo) * (to - from);
        }
    }

    private static StringBuilder header(int w, int h, String title) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">", w, h, w, h));
        b.append("<title>").append(ReportHtml.esc(title)).append("</title>");
        b.append(text(w / 2.0, 16, title, "middle"));
        return b;
    }

    private static void axisY(StringBuilder b, Axis y, double x0, double x1) {
        for (int k = 0; k <= 4; k++) {
            double v = y.lo() + (y.hi() - y.lo()) * k / 4;
            double py = y.map(v);
            b.append(line(x0, py, x1, py, "#e4e4e4"));
            b.append(text(x0 - 5, py + 4, fmt(v), "end"));
        }
    }

    private static String line(double x1, double y1, double x2, double y2, String col) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x1, y1,
                x2, y2, col);
    }

    private static String text(double x, double y, String s, String anchor) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor,
                ReportHtml.esc(s));
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.1f" : "%.3f", v);
    }
}
