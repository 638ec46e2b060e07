package io.rotationdrag.gateway.sweep;

import io.rotationdrag.eval.EvalReport;
import io.rotationdrag.eval.MetricValue;
import io.rotationdrag.eval.PairMatch;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.service.sweep.SweepStore.SweepJobRow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The results table of a sweep: per method x option set, the statistics of every metric over its succeeded jobs,
 * MD pooled over all drag pairs of the group (the field's dataset MD: mean of per-pair distances, not of
 * per-sample means), the failure rate and the failures with their reasons; and the regressions against a
 * baseline sweep. Pure: rows in, tables out.
 */
public final class SweepAggregator {
    public static final String MD_POOLED = "md_pooled";
    public static final String FAILURE_RATE = "failure_rate";

    private SweepAggregator() {
    }

    public record Failure(String sampleId, UUID jobId, String state, String reason) {
    }

    /**
     * @param unavailableReasons per metric, the distinct reasons jobs gave for not reporting it
     */
    public record GroupSummary(String method, int optionSet, String optionsJson, int jobs, int succeeded, int failed,
                               int unfinished, Map<String, MetricStats> metrics,
                               Map<String, Set<String>> unavailableReasons, List<Failure> failures) {
        public String label() {
            return method + " #" + optionSet;
        }

        public boolean complete() {
            return unfinished == 0;
        }
    }

    public record Regression(String method, String optionsJson, String metric, double baseline, double current,
                             double relativeChange, MetricDirection direction) {
    }

    /** @param optionSets partial options JSON per option set index */
    public static List<GroupSummary> summarise(List<SweepJobRow> rows, List<String> methods, List<String> optionSets) {
        List<GroupSummary> out = new ArrayList<>();
        for (String method : methods) {
            for (int k = 0; k < optionSets.size(); k++) {
                final int set = k;
                List<SweepJobRow> g = rows.stream().filter(r -> r.method().equals(method) && r.optionSet() == set)
                        .toList();
                out.add(group(method, set, optionSets.get(k), g));
            }
        }
        return out;
    }

    static GroupSummary group(String method, int set, String optionsJson, List<SweepJobRow> rows) {
        int ok = 0;
        int failed = 0;
        int unfinished = 0;
        List<Failure> failures = new ArrayList<>();
        Map<String, List<Double>> finite = new LinkedHashMap<>();
        Map<String, Integer> infinite = new LinkedHashMap<>();
        Map<String, Integer> unavailable = new LinkedHashMap<>();
        Map<String, Set<String>> reasons = new LinkedHashMap<>();
        List<Double> pairDistances = new ArrayList<>();
        finite.put(MD_POOLED, pairDistances);
        for (SweepJobRow r : rows) {
            if (r.state() == JobState.SUCCEEDED) {
                if (r.metricsJson() == null) {
                    failures.add(new Failure(r.sampleId(), r.jobId(), r.state().name(),
                            "succeeded without metrics (no EVAL result stored)"));
                    failed++;
                    continue;
                }
                ok++;
                EvalReport rep = EvalReport.fromJson(r.metricsJson());
                for (MetricValue v : rep.metrics().values()) {
                    finite.computeIfAbsent(v.name(), x -> new ArrayList<>());
                    if (!v.available()) {
                        unavailable.merge(v.name(), 1, Integer::sum);
                        reasons.computeIfAbsent(v.name(), x -> new TreeSet<>()).add(v.unavailableReason());
                    } else if (Double.isInfinite(v.value())) {
                        infinite.merge(v.name(), 1, Integer::sum);
                    } else {
                        finite.get(v.name()).add(v.value());
                    }
                }
                for (PairMatch m : rep.matches()) {
                    if (!m.pair().isRotationAxis()) {
                        pairDistances.add(m.distance());
                    }
                }
            } else if (r.state().isTerminal()) {
                failed++;
                failures.add(new Failure(r.sampleId(), r.jobId(), r.state().name(),
                        r.error() == null ? r.state().name().toLowerCase() : r.error()));
            } else {
                unfinished++;
            }
        }
        Map<String, MetricStats> stats = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : finite.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            stats.put(e.getKey(), MetricStats.of(v, infinite.getOrDefault(e.getKey(), 0),
                    unavailable.getOrDefault(e.getKey(), 0)));
        }
        int finished = ok + failed;
        stats.put(FAILURE_RATE, finished == 0 ? MetricStats.of(new double[0], 0, 0)
                : MetricStats.of(new double[]{failed / (double) finished}, 0, 0));
        return new GroupSummary(method, set, optionsJson, rows.size(), ok, failed, unfinished, stats, reasons, failures);
    }

    /**
     * Regressions of {@code current} against {@code baseline}: groups are matched by method and options JSON;
     * for every metric with a direction, the relative change of the mean {@code (cur - base) / max(|base|, 1e-9)}
     * beyond {@code threshold} in the worse direction is flagged.
     */
    public static List<Regression> regressions(List<GroupSummary> current, List<GroupSummary> baseline,
                                               double threshold) {
        List<Regression> out = new ArrayList<>();
        for (GroupSummary c : current) {
            for (GroupSummary b : baseline) {
                if (!b.method().equals(c.method()) || !b.optionsJson().equals(c.optionsJson())) {
                    continue;
                }
                Set<String> names = new LinkedHashSet<>(c.metrics().keySet());
                names.retainAll(b.metrics().keySet());
                for (String m : names) {
                    MetricDirection d = MetricDirection.of(m);
                    Double cm = c.metrics().get(m).mean();
                    Double bm = b.metrics().get(m).mean();
                    if (d == MetricDirection.NEUTRAL || cm == null || bm == null) {
                        continue;
                    }
                    double rel = (cm - bm) / Math.max(Math.abs(bm), 1e-9);
                    boolean worse = d == MetricDirection.LOWER_IS_BETTER ? rel > threshold : rel < -threshold;
                    if (worse) {
                        out.add(new Regression(c.method(), c.optionsJson(), m, bm, cm, rel, d));
                    }
                }
            }
        }
        return out;
    }
}
