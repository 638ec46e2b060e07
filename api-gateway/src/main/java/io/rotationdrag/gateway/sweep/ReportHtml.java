package io.rotationdrag.gateway.sweep;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The HTML report of a sweep ({@code /sweeps/{id}}): summary and progress, regressions against the baseline, the
 * metric table per method x option set, failures with reasons, inline-SVG plots (metric distribution per method,
 * MD vs rotation angle) and per-sample thumbnails (input with drag arrows, result per method). Self-contained:
 * images are data URIs, no script.
 */
public final class ReportHtml {
    /** Metrics plotted as distributions (when any job has values). */
    static final List<String> PLOTTED = List.of("md", "image_fidelity", "psnr_outside_mask", "ssim_outside_mask",
            "handle_content_distance_vs_gt", "tracking_final_error", "rotation_angle_error", "wall_s_total");

    private ReportHtml() {
    }

    /** One sample's thumbnails: input with arrows, and per group label the result (null = none) and state. */
    public record SampleView(String sampleId, Double rotationDeg, String inputDataUri,
                             Map<String, String> resultDataUri, Map<String, String> state) {
    }

    /** Values of one metric per job for plots: group label -> values, and (rotation, value, group index). */
    public record PlotData(Map<String, Map<String, double[]>> perMetric, List<SvgPlots.Point> mdVsRotation) {
    }

    public static String render(SweepReport r, PlotData plots, List<SampleView> samples) {
        StringBuilder b = new StringBuilder(8192);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sweep ").append(r.id())
                .append("</title><style>body{font-family:sans-serif;margin:1.5em;max-width:1400px}"
                        + "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
                        + "padding:3px 7px;text-align:right;font-size:13px}th{background:#f3f3f3}"
                        + "td.l,th.l{text-align:left}.bad{background:#fde2e2}.ok{color:#176b2c}"
                        + ".thumbs img{width:128px;height:auto;display:block}.thumbs td{vertical-align:top;"
                        + "text-align:center}.plots svg{margin:0 1em 1em 0;border:1px solid #eee}</style></head><body>");
        b.append("<h1>Sweep <code>").append(r.id()).append("</code></h1>");
        b.append("<p>dataset <b>").append(esc(r.dataset())).append("</b> &middot; ").append(r.samples())
                .append(" samples &middot; methods ").append(esc(String.join(", ", r.methods())))
                .append(" &middot; ").append(r.optionSets().size()).append(" option set(s) &middot; trigger ")
                .append(r.trigger()).append(" &middot; created ").append(r.createdAt()).append("</p>");
        b.append("<p id=\"progress\">progress: ").append(r.progress().get("finished")).append('/')
                .append(r.progress().get("total")).append(" finished");
        for (Map.Entry<String, Integer> e : r.progress().entrySet()) {
            if (!e.getKey().equals("total") && !e.getKey().equals("finished")) {
                b.append(" &middot; ").append(esc(e.getKey())).append(' ').append(e.getValue());
            }
        }
        b.append(r.complete() ? " (complete)" : " (running: numbers are provisional)").append("</p>");
        // signed links: a browser following them sends no API key
        b.append("<p>exports: <a href=\"").append(esc(r.links().get("json"))).append("\">JSON</a> &middot; <a href=\"")
                .append(esc(r.links().get("csv"))).append("\">CSV</a></p>");
        for (int k = 0; k < r.optionSets().size(); k++) {
            b.append("<p>option set #").append(k).append(": <code>").append(esc(r.optionSets().get(k)))
                    .append("</code></p>");
        }

        b.append("<h2>Regressions</h2>");
        if (r.baselineSweepId() == null) {
            b.append("<p>no earlier sweep of this dataset to compare with</p>");
        } else if (r.regressions().isEmpty()) {
            b.append("<p class=\"ok\" id=\"regressions\">none beyond ").append(pct(r.regressionThreshold()))
                    .append(" against sweep <a href=\"/sweeps/").append(r.baselineSweepId()).append("\">")
                    .append(r.baselineSweepId()).append("</a></p>");
        } else {
            b.append("<p>against sweep <a href=\"/sweeps/").append(r.baselineSweepId()).append("\">")
                    .append(r.baselineSweepId()).append("</a>, threshold ").append(pct(r.regressionThreshold()))
                    .append("</p><table id=\"regressions\"><tr><th class=\"l\">method</th><th class=\"l\">options</th>"
                            + "<th class=\"l\">metric</th><th>baseline mean</th><th>mean</th><th>change</th></tr>");
            for (SweepAggregator.Regression g : r.regressions()) {
                b.append("<tr class=\"bad\"><td class=\"l\">").append(esc(g.method())).append("</td><td class=\"l\"><code>")
                        .append(esc(g.optionsJson())).append("</code></td><td class=\"l\">").append(esc(g.metric()))
                        .append("</td><td>").append(num(g.baseline())).append("</td><td>").append(num(g.current()))
                        .append("</td><td>").append(pct(g.relativeChange())).append("</td></tr>");
            }
            b.append("</table>");
        }

        b.append("<h2>Results</h2>");
        for (SweepAggregator.GroupSummary g : r.groups()) {
            b.append("<h3>").append(esc(g.label())).append("</h3><p>").append(g.succeeded()).append(" succeeded, ")
                    .append(g.failed()).append(" failed, ").append(g.unfinished()).append(" unfinished of ")
                    .append(g.jobs()).append("</p>");
            b.append("<table class=\"metrics\" data-group=\"").append(esc(g.label())).append("\"><tr><th class=\"l\">metric"
                    + "</th><th>n</th><th>mean</th><th>median</th><th>std</th><th>IQR</th><th>min</th><th>max</th>"
                    + "<th>&infin;</th><th>unavailable</th></tr>");
            for (Map.Entry<String, MetricStats> e : g.metrics().entrySet()) {
                MetricStats s = e.getValue();
                Set<String> why = g.unavailableReasons().get(e.getKey());
                b.append("<tr><td class=\"l\">").append(esc(e.getKey())).append("</td><td>").append(s.n())
                        .append("</td><td>").append(num(s.mean())).append("</td><td>").append(num(s.median()))
                        .append("</td><td>").append(num(s.std())).append("</td><td>").append(num(s.iqr()))
                        .append("</td><td>").append(num(s.min())).append("</td><td>").append(num(s.max()))
                        .append("</td><td>").append(s.infinite()).append("</td><td class=\"l\">").append(s.unavailable());
                if (why != null && !why.isEmpty()) {
                    b.append(": ").append(esc(String.join("; ", why)));
                }
                b.append("</td></tr>");
            }
            b.append("</table>");
            if (!g.failures().isEmpty()) {
                b.append("<table class=\"failures\"><tr><th class=\"l\">sample</th><th class=\"l\">job</th>"
                        + "<th class=\"l\">state</th><th class=\"l\">reason</th></tr>");
                for (SweepAggregator.Failure f : g.failures()) {
                    b.append("<tr class=\"bad\"><td class=\"l\">").append(esc(f.sampleId())).append("</td><td class=\"l\">")
                            .append(f.jobId()).append("</td><td class=\"l\">").append(f.state())
                            .append("</td><td class=\"l\">").append(esc(f.reason())).append("</td></tr>");
                }
                b.append("</table>");
            }
        }

        b.append("<h2>Plots</h2><div class=\"plots\">");
        for (String m : PLOTTED) {
            Map<String, double[]> perGroup = plots.perMetric().get(m);
            if (perGroup == null || perGroup.values().stream().allMatch(v -> v.length == 0)) {
                continue;
            }
            List<SvgPlots.Series> series = new ArrayList<>();
            perGroup.forEach((label, v) -> series.add(new SvgPlots.Series(label, v)));
            b.append(SvgPlots.distribution(m + " per method", series));
        }
        List<String> labels = r.groups().stream().map(SweepAggregator.GroupSummary::label).toList();
        b.append(plots.mdVsRotation().isEmpty()
                ? "<p>MD vs rotation angle: no sample has a known rotation angle</p>"
                : SvgPlots.scatter("MD vs rotation angle", "rotation angle (deg)", "MD (px)", labels,
                plots.mdVsRotation()));
        b.append("</div>");

        b.append("<h2>Samples</h2><table class=\"thumbs\"><tr><th class=\"l\">sample</th><th>input + drag</th>");
        Set<String> cols = new LinkedHashSet<>(labels);
        for (String c : cols) {
            b.append("<th>").append(esc(c)).append("</th>");
        }
        b.append("</tr>");
        for (SampleView s : samples) {
            b.append("<tr><td class=\"l\">").append(esc(s.sampleId()));
            if (s.rotationDeg() != null) {
                b.append("<br>").append(String.format(Locale.ROOT, "%.1f&deg;", s.rotationDeg()));
            }
            b.append("</td><td>").append(img(s.inputDataUri(), "input of " + s.sampleId())).append("</td>");
            for (String c : cols) {
                String uri = s.resultDataUri().get(c);
                b.append("<td>").append(uri == null ? "" : img(uri, c + " result of " + s.sampleId()))
                        .append("<small>").append(esc(s.state().getOrDefault(c, "-"))).append("</small></td>");
            }
            b.append("</tr>");
        }
        b.append("</table></body></html>");
        return b.toString();
    }

    private static String img(String uri, String alt) {
        return uri == null ? "" : "<img src=\"" + uri + "\" alt=\"" + esc(alt) + "\">";
    }

    static String num(Double v) {
        return v == null ? "&ndash;" : SvgPlots.fmt(v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%+.1f%%", 100 * v);
    }

    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
