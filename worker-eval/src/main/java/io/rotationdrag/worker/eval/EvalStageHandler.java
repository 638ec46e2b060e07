package io.rotationdrag.worker.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.edit.DragOutcome;
import io.rotationdrag.edit.PointPair;
import io.rotationdrag.eval.EvalInput;
import io.rotationdrag.eval.EvalReport;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.eval.PixelMask;
import io.rotationdrag.eval.TrackingQuality;
import io.rotationdrag.jobs.JobPoints;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.db.StageRecordEntity;
import io.rotationdrag.service.runtime.NonRetryableStageException;
import io.rotationdrag.service.runtime.StageContext;
import io.rotationdrag.service.runtime.StageHandler;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The EVAL stage: reads the job's input, mask, result (and ground truth when the job came from a benchmark
 * sample), computes every metric with the warm model ({@link EvalModel}), writes {@code result/metrics.json}
 * and {@code jobs.metrics_json}; the runtime then completes the job (SUCCEEDED).
 *
 * <p>Idempotent: a redelivered stage whose metrics object already exists re-uses it (the metrics are a pure
 * function of the stored artefacts and the fixed DIFT seed) and only re-writes the job row.
 */
@ApplicationScoped
public class EvalStageHandler implements StageHandler {
    private static final Logger LOG = LoggerFactory.getLogger(EvalStageHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOBS = ObjectKeys.JOBS_BUCKET;
    /** Far above any real edit; the gateway enforces its own limit at submission. */
    private static final int MAX_PAIRS = 1000;

    @Inject
    EvalModel model;

    @Inject
    JobStore store;

    @Override
    public Stage stage() {
        return Stage.EVAL;
    }

    @Override
    public void run(StageContext ctx) throws Exception {
        ctx.step(JobState.EVAL, () -> evaluate(ctx));
    }

    private String evaluate(StageContext ctx) {
        UUID id = ctx.jobId();
        BlobStore blobs = ctx.blobs();
        ObjectNode detail = JSON.createObjectNode();
        Optional<byte[]> earlier = blobs.find(JOBS, ObjectKeys.metrics(id));
        if (earlier.isPresent()) {
            String json = new String(earlier.get(), StandardCharsets.UTF_8);
            try {
                EvalReport.fromJson(json);
                store.setMetrics(id, json);
                LOG.info("metrics of an earlier attempt re-used ({})", ObjectKeys.metrics(id));
                return detail.put("reused", true).toString();
            } catch (IllegalArgumentException e) {
                LOG.warn("stored metrics unreadable ({}); evaluating again", e.getMessage());
            }
        }
        JobEntity job = ctx.job();
        List<PointPair> pairs;
        try {
            pairs = JobPoints.parse(job.pointsJson, MAX_PAIRS);
        } catch (IllegalArgumentException e) {
            throw new NonRetryableStageException("job points: " + e.getMessage(), e);
        }
        List<HandleTarget> points = pairs.stream().map(p -> new HandleTarget(p.hx(), p.hy(), p.tx(), p.ty())).toList();
        BufferedImage input = image(blobs, ObjectKeys.inputImage(id), "input image", true);
        BufferedImage result = image(blobs, ObjectKeys.result(id), "result image (written by the DRAG stage)", true);
        PixelMask mask = null;
        if (job.hasMask) {
            mask = PixelMask.fromImage(image(blobs, ObjectKeys.inputMask(id), "mask", true));
        }
        BufferedImage gt = image(blobs, ObjectKeys.inputGroundTruth(id), "ground truth", false);
        Map<String, Long> wall = stageWallMs(id);
        TrackingQuality tracking = null;
        String trackingAbsent = null;
        Optional<byte[]> outcome = blobs.find(JOBS, ObjectKeys.dragOutcome(id));
        if (outcome.isEmpty()) {
            trackingAbsent = "no drag outcome artefact at " + ObjectKeys.dragOutcome(id);
        } else {
            DragOutcome d;
            try {
                d = DragOutcome.fromBytes(outcome.get());
            } catch (IllegalArgumentException e) {
                throw new NonRetryableStageException("drag outcome at " + ObjectKeys.dragOutcome(id) + ": "
                        + e.getMessage(), e);
            }
            detail.put("stopReason", d.stopReason());
            try {
                tracking = new TrackingQuality(points, d.finalHandlesPerPair(pairs), d.steps(), d.unetForwards(),
                        d.unetBackwards(), wall);
            } catch (IllegalArgumentException e) {
                // the image metrics are still valid; the tracking ones are reported absent with the mismatch
                trackingAbsent = "drag outcome does not match the job's pairs: " + e.getMessage();
                LOG.warn("tracking metrics unavailable: {}", trackingAbsent);
            }
        }
        ctx.checkCancelled();
        EvalInput in;
        try {
            in = new EvalInput(input, mask, result, points, job.prompt, gt, tracking, trackingAbsent, wall);
        } catch (IllegalArgumentException e) {
            throw new NonRetryableStageException("cannot evaluate: " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        EvalReport report;
        synchronized (model) { // one evaluation at a time on the shared model
            report = model.evaluator().evaluate(in);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String json = report.toJson();
        blobs.put(JOBS, ObjectKeys.metrics(id), json.getBytes(StandardCharsets.UTF_8), "application/json");
        store.setMetrics(id, json);
        LOG.info("evaluated in {} ms: md={} psnr_outside_mask={} image_fidelity={}", ms, text(report, "md"),
                text(report, "psnr_outside_mask"), text(report, "image_fidelity"));
        return detail.put("reused", false).put("evalMs", ms).toString();
    }

    private static String text(EvalReport r, String name) {
        var v = r.metrics().get(name);
        return v == null ? "-" : v.available() ? String.format("%.4f", v.value()) : "unavailable";
    }

    /** Wall time of every finished step of the job: its latest DONE record's end - start. */
    private Map<String, Long> stageWallMs(UUID id) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (StageRecordEntity r : store.records(id)) {
            if (r.status == StageRecordEntity.Status.DONE && r.endedAt != null && r.step != JobState.EVAL) {
                out.put(r.step.name(), Duration.between(r.startedAt, r.endedAt).toMillis());
            }
        }
        return out;
    }

    private static BufferedImage image(BlobStore blobs, String key, String what, boolean required) {
        Optional<byte[]> bytes = blobs.find(JOBS, key);
        if (bytes.isEmpty()) {
            if (required) {
                throw new NonRetryableStageException("the job has no " + what + " at " + JOBS + "/" + key);
            }
            return null;
        }
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes.get()));
            if (img == null) {
                throw new NonRetryableStageException(what + " at " + key + " is not a readable image");
            }
            return img;
        } catch (IOException e) {
            throw new NonRetryableStageException(what + " at " + key + " cannot be decoded: " + e.getMessage(), e);
        }
    }
}
