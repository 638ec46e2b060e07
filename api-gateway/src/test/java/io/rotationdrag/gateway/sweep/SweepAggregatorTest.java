package io.rotationdrag.gateway.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.eval.EvalReport;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.eval.MetricValue;
import io.rotationdrag.eval.PairMatch;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.service.sweep.SweepStore.SweepJobRow;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/** Aggregation against hand-computed numbers. */
class SweepAggregatorTest {

    @Test
    void statsOfOddAndEvenSamples() {
        // 1,2,3,4,10: mean 4, median 3; std = sqrt((9+4+1+0+36)/4) = sqrt(12.5); q at 0.25*(5-1)=1 -> 2, 0.75*4=3 -> 4
        MetricStats s = MetricStats.of(new double[]{10, 3, 1, 4, 2}, 1, 2);
        assertEquals(5, s.n());
        assertEquals(4.0, s.mean(), 1e-12);
        assertEquals(3.0, s.median(), 1e-12);
        assertEquals(Math.sqrt(12.5), s.std(), 1e-12);
        assertEquals(2.0, s.q1(), 1e-12);
        assertEquals(4.0, s.q3(), 1e-12);
        assertEquals(2.0, s.iqr(), 1e-12);
        assertEquals(1.0, s.min());
        assertEquals(10.0, s.max());
        assertEquals(1, s.infinite());
        assertEquals(2, s.unavailable());
        // 1,2,3,4: median 2.5; q1 at position 0.75 -> 1.75, q3 at 2.25 -> 3.25 (numpy linear)
        MetricStats e = MetricStats.of(new double[]{4, 1, 3, 2}, 0, 0);
        assertEquals(2.5, e.median(), 1e-12);
        assertEquals(1.75, e.q1(), 1e-12);
        assertEquals(3.25, e.q3(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3), e.std(), 1e-12); // (2.25+0.25+0.25+2.25)/3
        MetricStats one = MetricStats.of(new double[]{7}, 0, 0);
        assertNull(one.std(), "no sample std from one value");
        assertEquals(7.0, one.median());
        MetricStats none = MetricStats.of(new double[0], 3, 0);
        assertNull(none.mean());
        assertEquals(3, none.infinite());
    }

    static String metrics(double md, double psnr, List<PairMatch> pairs) {
        return EvalReport.of(List.of(MetricValue.of("md", md), MetricValue.of("psnr_outside_mask", psnr),
                MetricValue.unavailable("image_fidelity", "no LPIPS weights configured"),
                MetricValue.of("drag_steps", 40)), pairs, List.of(), Map.of()).toJson();
    }

    static PairMatch pm(double tx, double d) {
        return new PairMatch(new HandleTarget(0, 0, tx, 0), 0, 0, d);
    }

    static PairMatch axis(double d) {
        return new PairMatch(new HandleTarget(5, 5, 5, 5), 5, 5, d);
    }

    static SweepJobRow row(String sample, String method, JobState st, String error, String metrics) {
        return new SweepJobRow(UUID.randomUUID(), sample, method, 0, null, st, error, metrics);
    }

    @Test
    void groupTableMdPooledFailuresAndUnavailable() {
        List<SweepJobRow> rows = List.of(
                row("a", "rotationdrag", JobState.SUCCEEDED, null, metrics(10, 30, List.of(pm(1, 10), pm(2, 10), axis(3)))),
                row("b", "rotationdrag", JobState.SUCCEEDED, null, metrics(20, Double.POSITIVE_INFINITY,
                        List.of(pm(1, 20)))),
                row("c", "rotationdrag", JobState.FAILED, "stage DRAG failed after 3 attempt(s): boom", null),
                row("d", "rotationdrag", JobState.DRAG, null, null),
                row("a", "freedrag", JobState.SUCCEEDED, null, metrics(50, 20, List.of(pm(1, 50)))));
        List<SweepAggregator.GroupSummary> g = SweepAggregator.summarise(rows, List.of("rotationdrag", "freedrag"),
                List.of("{}"));
        assertEquals(2, g.size());
        SweepAggregator.GroupSummary rd = g.get(0);
        assertEquals("rotationdrag #0", rd.label());
        assertEquals(4, rd.jobs());
        assertEquals(2, rd.succeeded());
        assertEquals(1, rd.failed());
        assertEquals(1, rd.unfinished());
        assertFalse(rd.complete());
        assertEquals(15.0, rd.metrics().get("md").mean(), 1e-12);       // per-job MD mean (10 + 20) / 2
        assertEquals(40.0 / 3, rd.metrics().get("md_pooled").mean(), 1e-12); // pooled pairs 10,10,20; axis excluded
        assertEquals(3, rd.metrics().get("md_pooled").n());
        MetricStats psnr = rd.metrics().get("psnr_outside_mask");
        assertEquals(1, psnr.n());
        assertEquals(30.0, psnr.mean());
        assertEquals(1, psnr.infinite());
        assertEquals(2, rd.metrics().get("image_fidelity").unavailable());
        assertEquals(Set.of("no LPIPS weights configured"), rd.unavailableReasons().get("image_fidelity"));
        assertEquals(1.0 / 3, rd.metrics().get("failure_rate").mean(), 1e-12); // 1 failed of 3 finished
        assertEquals(1, rd.failures().size());
        assertEquals("c", rd.failures().get(0).sampleId());
        assertTrue(rd.failures().get(0).reason().contains("boom"));
        assertEquals(50.0, g.get(1).metrics().get("md").mean());
        assertTrue(g.get(1).complete());
    }

    @Test
    void regressionsBeyondTheThresholdInTheWorseDirection() {
        List<SweepJobRow> base = List.of(row("a", "rotationdrag", JobState.SUCCEEDED, null, metrics(10, 30, List.of())),
                row("b", "rotationdrag", JobState.SUCCEEDED, null, metrics(10, 30, List.of())));
        // md 10 -> 10.6 (+6 %: worse, flagged at 5 %); psnr 30 -> 31 (better, not flagged);
        // drag_steps unchanged and neutral; failure rate 0 -> 0
        List<SweepJobRow> cur = List.of(row("a", "rotationdrag", JobState.SUCCEEDED, null, metrics(10.2, 31, List.of())),
                row("b", "rotationdrag", JobState.SUCCEEDED, null, metrics(11, 31, List.of())));
        var b = SweepAggregator.summarise(base, List.of("rotationdrag"), List.of("{}"));
        var c = SweepAggregator.summarise(cur, List.of("rotationdrag"), List.of("{}"));
        List<SweepAggregator.Regression> r = SweepAggregator.regressions(c, b, 0.05);
        assertEquals(1, r.size(), r.toString());
        assertEquals("md", r.get(0).metric());
        assertEquals(10.0, r.get(0).baseline(), 1e-12);
        assertEquals(10.6, r.get(0).current(), 1e-12);
        assertEquals(0.06, r.get(0).relativeChange(), 1e-12);
        assertTrue(SweepAggregator.regressions(c, b, 0.07).isEmpty(), "6 % is within a 7 % threshold");
        // psnr 30 -> 27 is -10 %: flagged as a regression of a higher-is-better metric
        List<SweepJobRow> worse = List.of(row("a", "rotationdrag", JobState.SUCCEEDED, null, metrics(10, 27, List.of())),
                row("b", "rotationdrag", JobState.FAILED, "x", null));
        var w = SweepAggregator.regressions(SweepAggregator.summarise(worse, List.of("rotationdrag"), List.of("{}")), b,
                0.05);
        assertEquals(Set.of("psnr_outside_mask", "failure_rate"),
                Set.copyOf(w.stream().map(SweepAggregator.Regression::metric).toList()));
        // groups only match on the same method and options
        var other = SweepAggregator.summarise(cur, List.of("rotationdrag"), List.of("{\"seed\":1}"));
        assertTrue(SweepAggregator.regressions(other, b, 0.05).isEmpty());
    }

    @Test
    void optionGridIsTheCartesianProductWithNestedPaths() {
        ObjectMapper m = new ObjectMapper();
        List<ObjectNode> sets = OptionGrid.expand(m.createObjectNode().<ObjectNode>set("seed", m.createArrayNode().add(1).add(2))
                .set("drag.maxSteps", m.createArrayNode().add(20).add(40)));
        assertEquals(List.of("{\"seed\":1,\"drag\":{\"maxSteps\":20}}", "{\"seed\":1,\"drag\":{\"maxSteps\":40}}",
                        "{\"seed\":2,\"drag\":{\"maxSteps\":20}}", "{\"seed\":2,\"drag\":{\"maxSteps\":40}}"),
                sets.stream().map(ObjectNode::toString).toList());
        assertEquals(List.of("{}"), OptionGrid.expand(null).stream().map(ObjectNode::toString).toList());
        assertEquals(2, OptionGrid.expand(m.createArrayNode().add(m.createObjectNode()).add(m.createObjectNode()
                .put("seed", 3))).size());
        assertThrows(IllegalArgumentException.class, () -> OptionGrid.expand(m.createObjectNode().put("seed", 1)));
        assertThrows(IllegalArgumentException.class, () -> OptionGrid.expand(m.createArrayNode().add(3)));
    }

    /** 8 keys x 10 values = 10^8 option sets: refused from the list sizes, before anything is expanded. */
    @Test
    void optionGridSizeIsCheckedBeforeExpansion() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode grid = m.createObjectNode();
        for (int k = 0; k < 8; k++) {
            var values = m.createArrayNode();
            for (int v = 0; v < 10; v++) {
                values.add(v);
            }
            grid.set("key" + k, values);
        }
        IllegalArgumentException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(2),
                () -> assertThrows(IllegalArgumentException.class, () -> OptionGrid.expand(grid)));
        assertTrue(e.getMessage().contains("more than " + OptionGrid.MAX_SETS), e.getMessage());
        // 8 x 8 = 64 is exactly the limit and expands; a list of 65 sets is refused
        ObjectNode ok = m.createObjectNode();
        for (String k : List.of("a", "b")) {
            var values = m.createArrayNode();
            for (int v = 0; v < 8; v++) {
                values.add(v);
            }
            ok.set(k, values);
        }
        assertEquals(64, OptionGrid.expand(ok).size());
        var list = m.createArrayNode();
        for (int i = 0; i < 65; i++) {
            list.add(m.createObjectNode().put("seed", i));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OptionGrid.expand(list)).getMessage()
                .contains("65 option sets"));
    }

    @Test
    void csvQuotesAndWritesEveryMetric() {
        UUID sweep = UUID.randomUUID();
        List<SweepJobRow> rows = List.of(row("cat/one", "rotationdrag", JobState.SUCCEEDED, null,
                        metrics(12.5, Double.POSITIVE_INFINITY, List.of())),
                row("cat/two", "rotationdrag", JobState.FAILED, "bad, \"quoted\" reason", null));
        String csv = ResultsCsv.render(sweep, rows, List.of("{\"seed\":1,\"x\":2}"));
        String[] lines = csv.split("\r\n");
        assertEquals(3, lines.length);
        assertTrue(lines[0].endsWith("error,md,psnr_outside_mask,image_fidelity,drag_steps"), lines[0]);
        assertTrue(lines[1].endsWith(",SUCCEEDED,,12.5,Infinity,,40.0"), lines[1]);
        assertTrue(lines[1].contains(",\"{\"\"seed\"\":1,\"\"x\"\":2}\","), lines[1]);
        assertTrue(lines[2].contains(",FAILED,\"bad, \"\"quoted\"\" reason\",,,,"), lines[2]);
    }

    @Test
    void svgPlotsDrawEveryValue() {
        String svg = SvgPlots.distribution("md per method", List.of(new SvgPlots.Series("a", new double[]{1, 2, 3}),
                new SvgPlots.Series("b", new double[0])));
        assertTrue(svg.startsWith("<svg"));
        assertEquals(3, svg.split("<circle").length - 1);
        assertTrue(svg.contains("no values"));
        String sc = SvgPlots.scatter("MD vs rotation", "deg", "px", List.of("a"),
                List.of(new SvgPlots.Point(10, 3, 0), new SvgPlots.Point(40, 9, 0)));
        assertEquals(2, sc.split("<circle").length - 1);
        assertTrue(ReportHtml.esc("<a & \"b\">").equals("&lt;a &amp; &quot;b&quot;&gt;"));
    }
}
