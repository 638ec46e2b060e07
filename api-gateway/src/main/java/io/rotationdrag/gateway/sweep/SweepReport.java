package io.rotationdrag.gateway.sweep;

import io.rotationdrag.jobs.JobState;
import io.rotationdrag.service.sweep.SweepEntity;
import io.rotationdrag.service.sweep.SweepStore.SweepJobRow;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything {@code GET /api/v1/sweeps/{id}} returns and the HTML report shows.
 *
 * @param progress jobs per state, plus "total" and "finished"
 * @param complete every job of the sweep is in a terminal state
 * @param jobs     one row per job (sample, method, option set, state, error); metrics via the job or the CSV
 * @param owner    the principal that created the sweep ("system" for nightly sweeps)
 * @param links    self, report (HTML) and csv; report and csv carry a signed access parameter, for a browser
 */
public record SweepReport(UUID id, String dataset, String trigger, Instant createdAt, List<String> methods,
                          List<String> optionSets, int samples, Map<String, Integer> progress, boolean complete,
                          List<SweepAggregator.GroupSummary> groups, UUID baselineSweepId, double regressionThreshold,
                          List<SweepAggregator.Regression> regressions, List<JobRow> jobs, String owner,
                          Map<String, String> links) {

    public record JobRow(UUID jobId, String sampleId, String method, int optionSet, Double rotationDeg, String state,
                         String error) {
    }

    static SweepReport of(SweepEntity s, List<String> methods, List<String> sets, List<SweepJobRow> rows,
                          List<SweepAggregator.GroupSummary> groups, List<SweepAggregator.Regression> regressions,
                          double threshold, Map<String, String> links) {
        Map<String, Integer> progress = new LinkedHashMap<>();
        int finished = 0;
        for (SweepJobRow r : rows) {
            progress.merge(r.state().name(), 1, Integer::sum);
            if (r.state().isTerminal()) {
                finished++;
            }
        }
        progress.put("total", rows.size());
        progress.put("finished", finished);
        List<JobRow> jobs = rows.stream().map(r -> new JobRow(r.jobId(), r.sampleId(), r.method(), r.optionSet(),
                r.rotationDeg(), r.state().name(), r.error())).toList();
        return new SweepReport(s.id, s.dataset, s.trigger.name(), s.createdAt, methods, sets, s.sampleCount, progress,
                finished == rows.size(), groups, s.baselineSweepId, threshold, regressions, jobs, s.owner, links);
    }

    public int succeeded() {
        return progress.getOrDefault(JobState.SUCCEEDED.name(), 0);
    }
}
