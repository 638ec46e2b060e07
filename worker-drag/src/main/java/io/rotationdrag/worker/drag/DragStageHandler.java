package io.rotationdrag.worker.drag;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.ProgressListener;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.job.JobInputs;
import io.rotationdrag.service.runtime.NonRetryableStageException;
import io.rotationdrag.service.runtime.StageContext;
import io.rotationdrag.service.runtime.StageHandler;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The DRAG stage: INVERT, DRAG and DENOISE on the warm base model with the job's LoRA. Each step first looks for
 * its artefact under the job's deterministic key and reuses it (a redelivered or retried stage resumes where the
 * last attempt stopped, and writes no second copy):
 * <pre>
 *   INVERT   latents/inversion.safetensors   Inversion.toBytes()
 *   DRAG     result/trajectory.json, then latents/drag.safetensors (DragOutcome.toBytes(); written last, so its
 *            presence means the step is complete)
 *   DENOISE  result/result.png
 * </pre>
 * While dragging it also keeps {@code progress/drag.json} (and any previews) current for the gateway.
 */
@ApplicationScoped
public class DragStageHandler implements StageHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DragStageHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BIN = "application/octet-stream";

    @Inject
    Instance<DragEngine> engines;

    @Override
    public Stage stage() {
        return Stage.DRAG;
    }

    @Override
    public void run(StageContext ctx) throws Exception {
        BlobStore blobs = ctx.blobs();
        UUID id = ctx.jobId();
        JobInputs.Loaded in = JobInputs.load(blobs, ctx.job());
        EditRequest r = in.request();
        byte[] lora = lora(blobs, id, r);

        ctx.step(JobState.INVERT, () -> {
            ObjectNode d = JSON.createObjectNode();
            if (reuse(blobs, ObjectKeys.inversion(id), d)) {
                return d.toString();
            }
            byte[] inv = engineCall(() -> engine().invert(r, lora, progress(ctx, "invert"), ctx::isCancelled));
            blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inversion(id), inv, BIN);
            d.put("bytes", inv.length);
            return d.toString();
        });

        ctx.step(JobState.DRAG, () -> {
            ObjectNode d = JSON.createObjectNode();
            if (reuse(blobs, ObjectKeys.dragOutcome(id), d)) {
                return d.toString();
            }
            byte[] inv = blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.inversion(id));
            ProgressListener steps = progress(ctx, "drag");
            DragProgressWriter live = new DragProgressWriter(blobs, id);
            DragResult res = engineCall(() -> engine().drag(r, lora, inv, e -> {
                steps.onEvent(e);
                live.onEvent(e);
            }, ctx::isCancelled));
            blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.trajectory(id),
                    Trajectory.toJson(r.points(), res).getBytes(StandardCharsets.UTF_8), "application/json");
            blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragOutcome(id), res.outcome(), BIN);
            d.put("bytes", res.outcome().length);
            d.put("steps", res.steps());
            d.put("stopReason", res.stopReason());
            d.put("unetForwards", res.unetForwards());
            d.put("unetBackwards", res.unetBackwards());
            double dist = Trajectory.meanDistanceToTargets(r.points(), res);
            if (Double.isFinite(dist)) {
                d.put("meanDistanceToTargets", dist);
            }
            return d.toString();
        });

        ctx.step(JobState.DENOISE, () -> {
            ObjectNode d = JSON.createObjectNode();
            if (reuse(blobs, ObjectKeys.result(id), d)) {
                return d.toString();
            }
            byte[] inv = blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.inversion(id));
            byte[] outcome = blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragOutcome(id));
            BufferedImage img = engineCall(() -> engine().denoise(r, lora, inv, outcome, progress(ctx, "denoise"),
                    ctx::isCancelled));
            byte[] png = png(img);
            blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(id), png, "image/png");
            d.put("bytes", png.length).put("width", img.getWidth()).put("height", img.getHeight());
            return d.toString();
        });
    }

    /** The job's LoRA from the LORA stage; null when the job runs without LoRA. */
    private static byte[] lora(BlobStore blobs, UUID id, EditRequest r) {
        Optional<byte[]> b = blobs.find(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(id));
        if (r.options().lora().enabled() && b.isEmpty()) {
            throw new NonRetryableStageException("the LORA stage left no LoRA at " + ObjectKeys.lora(id)
                    + " although the job has LoRA enabled");
        }
        return r.options().lora().enabled() ? b.get() : null;
    }

    private static boolean reuse(BlobStore blobs, String key, ObjectNode d) {
        Optional<Long> size = blobs.stat(ObjectKeys.JOBS_BUCKET, key);
        d.put("reused", size.isPresent());
        if (size.isPresent()) {
            d.put("bytes", size.get());
            LOG.info("reusing {} ({} bytes) of an earlier attempt", key, size.get());
        }
        return size.isPresent();
    }

    private static ProgressListener progress(StageContext ctx, String what) {
        return e -> {
            ctx.progress(e.step(), e.total());
            int every = Math.max(1, e.total() / 10);
            if (e.step() % every == 0 || e.step() == e.total()) {
                LOG.info("{} step {}/{}{}", what, e.step(), e.total(), e.loss() == null ? "" : " loss " + e.loss());
            }
        };
    }

    private static <T> T engineCall(Supplier<T> call) {
        try {
            return call.get();
        } catch (EditValidationException e) {
            throw new NonRetryableStageException("invalid edit: " + e.getMessage(), e);
        }
    }

    private DragEngine engine() {
        if (engines.isUnsatisfied()) {
            throw new IllegalStateException("worker-drag has no DragEngine bean (the DragEditor adapter is missing)");
        }
        return engines.get();
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", out)) {
            throw new IOException("no PNG writer");
        }
        return out.toByteArray();
    }
}
