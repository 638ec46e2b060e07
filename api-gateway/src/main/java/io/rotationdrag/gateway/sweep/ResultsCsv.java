package io.rotationdrag.gateway.sweep;

import io.rotationdrag.eval.EvalReport;
import io.rotationdrag.eval.MetricValue;
import io.rotationdrag.service.sweep.SweepStore.SweepJobRow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One CSV row per job of a sweep (RFC 4180 quoting): identity columns, then every metric that any job reported.
 * A metric a job reported unavailable is an empty cell; infinities are written {@code Infinity}.
 */
public final class ResultsCsv {
    private ResultsCsv() {
    }

    public static String render(UUID sweepId, List<SweepJobRow> rows, List<String> optionSets) {
        List<Map<String, MetricValue>> metrics = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (SweepJobRow r : rows) {
            Map<String, MetricValue> m = r.metricsJson() == null ? Map.of()
                    : new LinkedHashMap<>(EvalReport.fromJson(r.metricsJson()).metrics());
            metrics.add(m);
            names.addAll(m.keySet());
        }
        StringBuilder b = new StringBuilder();
        List<String> head = new ArrayList<>(List.of("sweep_id", "job_id", "sample_id", "method", "option_set",
                "options", "rotation_deg", "state", "error"));
        head.addAll(names);
        row(b, head);
        for (int i = 0; i < rows.size(); i++) {
            SweepJobRow r = rows.get(i);
            List<String> cells = new ArrayList<>(List.of(sweepId.toString(), r.jobId().toString(), r.sampleId(),
                    r.method(), Integer.toString(r.optionSet()), optionSets.get(r.optionSet()),
                    r.rotationDeg() == null ? "" : Double.toString(r.rotationDeg()), r.state().name(),
                    r.error() == null ? "" : r.error()));
            for (String n : names) {
                MetricValue v = metrics.get(i).get(n);
                cells.add(v == null || !v.available() ? "" : Double.toString(v.value()));
            }
            row(b, cells);
        }
        return b.toString();
    }

    private static void row(StringBuilder b, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            String c = cells.get(i);
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                b.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                b.append(c);
            }
        }
        b.append("\r\n");
    }
}
