package io.rotationdrag.gateway.sweep;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.TrackerKind;
import io.rotationdrag.eval.DatasetUpload;
import io.rotationdrag.eval.DragBenchSample;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.gateway.GatewayConfig;
import io.rotationdrag.gateway.api.ApiException;
import io.rotationdrag.gateway.api.Quotas;
import io.rotationdrag.gateway.auth.Principal;
import io.rotationdrag.gateway.auth.SignedLinks;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.gateway.jobs.OptionLimits;
import io.rotationdrag.gateway.jobs.JobSubmitter;
import io.rotationdrag.gateway.jobs.SubmissionForm;
import io.rotationdrag.jobs.JobOptions;
import io.rotationdrag.service.sweep.SweepEntity;
import io.rotationdrag.service.sweep.SweepStore;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Creates sweeps and builds their reports. A sweep creates one job per sample x method x option set through the
 * gateway's own submission path ({@link JobSubmitter}, as {@code POST /api/v1/jobs}), each with the idempotency key
 * {@code sweep:<id>:<sample>:<method>:<set>}, so a retried creation never duplicates a job. A sample's ground
 * truth (synthetic benchmark) is stored beside the job's inputs for the EVAL stage.
 */
@ApplicationScoped
public class SweepService {
    private static final Logger LOG = LoggerFactory.getLogger(SweepService.class);
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    SweepStore store;

    @Inject
    DatasetStore datasets;

    @Inject
    JobSubmitter submitter;

    @Inject
    SweepConfig config;

    @Inject
    GatewayConfig gatewayConfig;

    @Inject
    JobStore jobStore;

    @Inject
    SignedLinks links;

    /**
     * @param owner the principal the sweep and its jobs belong to
     * @throws ApiException 4xx naming the field, 404 for an unknown dataset, 429 over a quota
     */
    public SweepEntity create(SweepRequest req, SweepEntity.Trigger trigger, String owner) {
        if (req == null) {
            throw ApiException.badRequest(null, "a JSON body {dataset, methods, options} is required");
        }
        try {
            DatasetUpload.checkName(req.dataset());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("dataset", e.getMessage());
        }
        if (req.methods() == null || req.methods().isEmpty()) {
            throw ApiException.badRequest("methods", "methods must list at least one method id");
        }
        List<String> methods = new ArrayList<>();
        for (String m : req.methods()) {
            try {
                String id = TrackerKind.fromId(m).id();
                if (!methods.contains(id)) {
                    methods.add(id);
                }
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("methods", e.getMessage());
            }
        }
        List<ObjectNode> sets;
        try {
            sets = OptionGrid.expand(req.options());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("options", e.getMessage());
        }
        List<String> setJson = sets.stream().map(ObjectNode::toString).toList();
        for (String m : methods) {
            for (int k = 0; k < setJson.size(); k++) {
                try {
                    // the limits too, so that no sweep stops half-created at its first job over a bound
                    OptionLimits.check(JobOptions.resolve(m, setJson.get(k)), gatewayConfig.limits());
                } catch (EditValidationException e) {
                    throw ApiException.badRequest("options", "option set " + k + " for " + m + ": " + e.getMessage());
                } catch (ApiException e) {
                    throw ApiException.badRequest(e.field(), "option set " + k + " for " + m + ": " + e.getMessage());
                }
            }
        }
        if (!datasets.exists(req.dataset())) {
            throw ApiException.notFound("no dataset '" + req.dataset() + "' in " + ObjectKeys.DATASETS_BUCKET);
        }
        List<DragBenchSample> samples;
        try {
            samples = datasets.read(req.dataset());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("dataset", e.getMessage());
        }
        if (req.maxSamples() != null) {
            if (req.maxSamples() < 1) {
                throw ApiException.badRequest("maxSamples", "maxSamples must be >= 1");
            }
            samples = samples.subList(0, Math.min(samples.size(), req.maxSamples()));
        }
        long jobs = (long) samples.size() * methods.size() * setJson.size();
        if (jobs > config.maxJobs()) {
            throw ApiException.badRequest(null, "the sweep would create " + jobs + " jobs; at most "
                    + config.maxJobs() + " (rd.sweeps.max-jobs)");
        }
        admit(owner, trigger, jobs);
        UUID id = UUID.randomUUID();
        Instant now = Instant.now();
        // a user's sweep is compared with their own previous one; a nightly one with anyone's
        UUID baseline = store.previous(trigger == SweepEntity.Trigger.NIGHTLY ? null : owner, req.dataset(), now)
                .map(s -> s.id).orElse(null);
        SweepEntity sweep = store.create(id, owner, req.dataset(), write(methods), write(setJson), trigger, baseline,
                samples.size());
        MDC.put("sweepId", id.toString());
        try {
            LOG.info("sweep {} ({}) on {}: {} samples x {} methods x {} option sets = {} jobs, baseline {}", id,
                    trigger, req.dataset(), samples.size(), methods.size(), setJson.size(), jobs, baseline);
            int n = 0;
            for (DragBenchSample s : samples) {
                byte[] image = png(s.image());
                byte[] mask = s.maskDrawn() ? png(s.mask().toImage()) : null;
                byte[] gt = s.groundTruth() == null ? null : png(s.groundTruth());
                String points = points(s.points());
                for (String m : methods) {
                    for (int k = 0; k < setJson.size(); k++) {
                        String key = "sweep:" + id + ":" + s.id() + ":" + m + ":" + k;
                        // the ground truth goes with the submission, so it is stored before the job is queued
                        var outcome = submitter.submit(new SubmissionForm(image, mask, gt, points, s.prompt(), m,
                                setJson.get(k), key), owner, true);
                        UUID jobId = outcome.job().id;
                        store.addJob(id, jobId, s.id(), m, k, s.rotationDeg());
                        n++;
                    }
                }
                LOG.info("sweep {}: {}/{} jobs created", id, n, jobs);
            }
        } finally {
            MDC.remove("sweepId");
        }
        return sweep;
    }

    /**
     * Admission of a whole sweep (its jobs are not admitted one by one): at most rd.gateway.quota.max-active-sweeps
     * unfinished sweeps per owner, and its jobs must fit under the server's total of unfinished jobs. Nightly
     * sweeps are the operator's and only count against the total.
     */
    private void admit(String owner, SweepEntity.Trigger trigger, long jobs) {
        GatewayConfig.Quota q = gatewayConfig.quota();
        if (trigger == SweepEntity.Trigger.API) {
            long mine = store.activeCount(owner);
            if (mine >= q.maxActiveSweeps()) {
                throw Quotas.tooMany("you have " + mine + " unfinished sweeps, the most this server runs per user; "
                        + "retry when one has finished", q.retryAfter());
            }
        }
        if (q.maxActiveJobsTotal() > 0) {
            long all = jobStore.activeCount(null);
            if (all + jobs > q.maxActiveJobsTotal()) {
                throw Quotas.tooMany("the sweep's " + jobs + " jobs do not fit: the server has " + all
                        + " unfinished jobs of at most " + q.maxActiveJobsTotal() + "; retry later", q.retryAfter());
            }
        }
    }

    /** The sweep when the principal may see it; another owner's sweep is "no sweep", as if it did not exist. */
    public SweepEntity find(UUID id, Principal who) {
        return store.find(id).filter(s -> who.mayAccess(s.owner))
                .orElseThrow(() -> ApiException.notFound("no sweep " + id));
    }

    /** self, and signed links (json, report, csv) a browser can open without the API key. */
    Map<String, String> links(SweepEntity s) {
        String access = SignedLinks.PARAM + "=" + links.token(s.owner, "sweep:" + s.id);
        Map<String, String> l = new LinkedHashMap<>();
        l.put("self", "/api/v1/sweeps/" + s.id);
        l.put("json", "/api/v1/sweeps/" + s.id + "?" + access);
        l.put("report", "/sweeps/" + s.id + "?" + access);
        l.put("csv", "/api/v1/sweeps/" + s.id + "/results.csv?" + access);
        return l;
    }

    /** Canonical points JSON [[hx,hy],[tx,ty],...] of a sample. */
    static String points(List<HandleTarget> pts) {
        StringBuilder b = new StringBuilder("[");
        for (HandleTarget p : pts) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(String.format(Locale.ROOT, "[%s,%s],[%s,%s]", num(p.hx()), num(p.hy()), num(p.tx()), num(p.ty())));
        }
        return b.append(']').toString();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    static byte[] png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> readList(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (Exception e) {
            throw new IllegalStateException("bad stored list " + json, e);
        }
    }

    /** The sweep's report: progress, per-group tables, failures, regressions vs its baseline. */
    public SweepReport report(UUID id, Principal who) {
        return report(find(id, who));
    }

    SweepReport report(SweepEntity s) {
        UUID id = s.id;
        List<String> methods = readList(s.methodsJson);
        List<String> sets = readList(s.optionSetsJson);
        List<SweepStore.SweepJobRow> rows = store.jobs(id);
        List<SweepAggregator.GroupSummary> groups = SweepAggregator.summarise(rows, methods, sets);
        List<SweepAggregator.Regression> regressions = List.of();
        if (s.baselineSweepId != null) {
            SweepEntity b = store.find(s.baselineSweepId).orElse(null);
            if (b != null) {
                List<SweepAggregator.GroupSummary> base = SweepAggregator.summarise(store.jobs(b.id),
                        readList(b.methodsJson), readList(b.optionSetsJson));
                regressions = SweepAggregator.regressions(groups, base, config.regressionThreshold());
            }
        }
        return SweepReport.of(s, methods, sets, rows, groups, regressions, config.regressionThreshold(), links(s));
    }
}
