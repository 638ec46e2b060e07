package io.rotationdrag.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.gateway.auth.SignedLinks;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.db.StageRecordEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds the JSON views of jobs from the job row, its stage records and its stage tasks. */
@ApplicationScoped
public class JobViews {
    public static final String BASE = "/api/v1/jobs";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    JobStore store;

    @Inject
    SignedLinks links;

    public JobView full(JobEntity j) {
        List<StageRecordEntity> records = store.records(j.id);
        List<Map<String, Object>> taskRows = store.tasks(j.id);
        List<JobView.StageView> stages = new ArrayList<>();
        LinkedHashSet<String> workers = new LinkedHashSet<>();
        for (StageRecordEntity r : records) {
            stages.add(new JobView.StageView(r.step.name(), r.attempt, r.workerId, r.status.name(), r.startedAt,
                    r.endedAt, millis(r.startedAt, r.endedAt), r.progressDone, r.progressTotal, r.error,
                    parse(r.detailJson)));
            workers.add(r.workerId);
        }
        List<JobView.TaskView> tasks = new ArrayList<>();
        Map<String, Integer> attempts = new LinkedHashMap<>();
        for (Map<String, Object> t : taskRows) {
            String stage = (String) t.get("stage");
            int n = (Integer) t.get("attempts");
            tasks.add(new JobView.TaskView(stage, (String) t.get("status"), n, (String) t.get("owner"),
                    (String) t.get("lastError")));
            attempts.put(stage, n);
        }
        return new JobView(j.id.toString(), j.state.name(), j.method, j.prompt, points(j.pointsJson),
                parse(j.optionsJson), new JobView.ImageInfo(j.imageWidth, j.imageHeight, j.hasMask),
                j.cancelRequested, j.error, progress(j), j.createdAt, j.updatedAt, j.startedAt, j.finishedAt,
                millis(j.createdAt, j.finishedAt), stages, tasks, attempts, List.copyOf(workers), parse(j.metricsJson),
                links(j));
    }

    public JobView.Summary summary(JobEntity j) {
        return new JobView.Summary(j.id.toString(), j.state.name(), j.method, j.prompt, progress(j), j.createdAt,
                j.finishedAt, j.error, Map.of("self", self(j.id)));
    }

    static JobView.Progress progress(JobEntity j) {
        if (j.progressStep == null) {
            return null;
        }
        Double fraction = j.progressTotal == null || j.progressTotal <= 0 || j.progressDone == null ? null
                : Math.min(1.0, (double) j.progressDone / j.progressTotal);
        return new JobView.Progress(j.progressStep, j.progressDone, j.progressTotal, fraction);
    }

    /**
     * The job's links. Those a browser opens without headers (event stream, images, trajectory) carry a signed
     * {@code access} parameter ({@link SignedLinks}); "access" alone is that parameter, for other paths of the job.
     */
    Map<String, String> links(JobEntity j) {
        Map<String, String> l = new LinkedHashMap<>();
        String self = self(j.id);
        String access = SignedLinks.PARAM + "=" + links.token(j.owner, "job:" + j.id);
        l.put("self", self);
        l.put("events", self + "/events?" + access);
        l.put("result", self + "/result?" + access);
        l.put("trajectory", self + "/trajectory?" + access);
        l.put("image", self + "/input/image?" + access);
        if (j.hasMask) {
            l.put("mask", self + "/input/mask?" + access);
        }
        l.put("access", access);
        return l;
    }

    /** A path under the job with its signed access parameter. */
    public String signed(UUID id, String owner, String suffix) {
        return self(id) + suffix + "?" + SignedLinks.PARAM + "=" + links.token(owner, "job:" + id);
    }

    public static String self(UUID id) {
        return BASE + "/" + id;
    }

    private static Long millis(Instant a, Instant b) {
        return a == null || b == null ? null : Duration.between(a, b).toMillis();
    }

    private static List<double[]> points(String json) {
        List<double[]> out = new ArrayList<>();
        JsonNode n = parse(json);
        if (n != null) {
            for (JsonNode p : n) {
                out.add(new double[] {p.path(0).asDouble(), p.path(1).asDouble()});
            }
        }
        return out;
    }

    static JsonNode parse(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }
}
