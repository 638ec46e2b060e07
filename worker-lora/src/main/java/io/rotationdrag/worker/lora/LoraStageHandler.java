package io.rotationdrag.worker.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.EditValidator;
import io.rotationdrag.edit.PreparedEdit;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.lora.LoraCacheKey;
import io.rotationdrag.lora.LoraOptions;
import io.rotationdrag.lora.LoraTrainer;
import io.rotationdrag.lora.LoraWeights;
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

import java.util.Map;
import java.util.Optional;

/**
 * The LORA stage: train the job's LoRA, or reuse one. In order of preference:
 * <ol>
 *   <li>the job already has {@code jobs/<id>/lora/lora.safetensors} (an earlier attempt stored it): reused;</li>
 *   <li>the cache in {@code rd-models} has the entry for {@link LoraCacheKey} (base model id, image pixel hash,
 *       prompt, LoRA options, training size): copied to the job's key;</li>
 *   <li>otherwise trained (progress per optimiser step, cancellable between steps), stored in the cache and
 *       under the job's key.</li>
 * </ol>
 * A job with LoRA disabled stores nothing; the drag stage then edits with the plain base UNet.
 * The stage record's detail says which path was taken, the steps and the final loss.
 */
@ApplicationScoped
public class LoraStageHandler implements StageHandler {
    private static final Logger LOG = LoggerFactory.getLogger(LoraStageHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String META_CACHE_KEY = "rd_cache_key";
    static final String META_BASE_MODEL = "rd_base_model";
    static final String META_STEPS = "rd_train_steps";
    static final String META_LOSS = "rd_final_loss";

    @Inject
    Instance<LoraEngine> engines;

    @Override
    public Stage stage() {
        return Stage.LORA;
    }

    @Override
    public void run(StageContext ctx) throws Exception {
        ctx.step(JobState.LORA, () -> JSON.writeValueAsString(trainOrReuse(ctx)));
    }

    private ObjectNode trainOrReuse(StageContext ctx) {
        BlobStore blobs = ctx.blobs();
        JobInputs.Loaded in = JobInputs.load(blobs, ctx.job());
        LoraOptions lo = in.request().options().lora();
        ObjectNode d = JSON.createObjectNode();
        if (!lo.enabled()) {
            d.put("enabled", false);
            return d;
        }
        d.put("enabled", true);
        String jobKey = ObjectKeys.lora(ctx.jobId());
        Optional<byte[]> earlier = blobs.find(ObjectKeys.JOBS_BUCKET, jobKey);
        if (earlier.isPresent()) {
            LoraWeights w = LoraWeights.fromBytes(earlier.get());
            describe(d, w, "reused", true);
            LOG.info("LoRA of an earlier attempt reused ({} bytes)", earlier.get().length);
            return d;
        }
        LoraEngine engine = engine();
        PreparedEdit prepared;
        try {
            prepared = EditValidator.prepare(in.request(), engine.geometry());
        } catch (EditValidationException e) {
            throw new NonRetryableStageException("invalid edit: " + e.getMessage(), e);
        }
        LoraCacheKey key = LoraCacheKey.of(engine.baseModelId(), in.imageHash(), in.request().prompt(), lo,
                prepared.workWidth(), prepared.workHeight());
        String cacheObject = ObjectKeys.loraCache(key.value());
        d.put("cacheKey", key.value());
        Optional<byte[]> cached = blobs.find(ObjectKeys.MODELS_BUCKET, cacheObject);
        if (cached.isPresent()) {
            try {
                LoraWeights w = LoraWeights.fromBytes(cached.get());
                blobs.put(ObjectKeys.JOBS_BUCKET, jobKey, cached.get(), "application/octet-stream");
                describe(d, w, "cacheHit", true);
                LOG.info("LoRA cache hit {} ({} bytes)", key, cached.get().length);
                return d;
            } catch (IllegalArgumentException corrupt) {
                LOG.warn("LoRA cache entry {} unreadable, training again: {}", cacheObject, corrupt.getMessage());
            }
        }
        long t0 = System.nanoTime();
        double[] lastLoss = {Double.NaN};
        int logEvery = Math.max(1, lo.steps() / 10);
        LoraWeights trained;
        try {
            trained = engine.train(in.request(), e -> {
                if (e.loss() != null) {
                    lastLoss[0] = e.loss();
                }
                ctx.progress(e.step(), e.total());
                if (e.step() % logEvery == 0 || e.step() == e.total()) {
                    LOG.info("LoRA step {}/{} loss {}", e.step(), e.total(), e.loss());
                }
            }, ctx::isCancelled);
        } catch (EditValidationException e) {
            throw new NonRetryableStageException("invalid edit: " + e.getMessage(), e);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String engineLoss = trained.metadata().get(LoraTrainer.META_FINAL_LOSS);
        if (engineLoss != null) {
            lastLoss[0] = Double.parseDouble(engineLoss); // the trainer's own record of its last step's loss
        }
        LoraWeights tagged = trained.withMetadata(Map.of(META_CACHE_KEY, key.value(),
                META_BASE_MODEL, engine.baseModelId(), META_STEPS, Integer.toString(lo.steps()),
                META_LOSS, Double.toString(lastLoss[0])));
        byte[] bytes = tagged.toBytes();
        blobs.put(ObjectKeys.MODELS_BUCKET, cacheObject, bytes, "application/octet-stream");
        blobs.put(ObjectKeys.JOBS_BUCKET, jobKey, bytes, "application/octet-stream");
        describe(d, tagged, "cacheHit", false);
        d.put("trainMs", ms);
        LOG.info("LoRA trained in {} ms ({} steps, final loss {}), cached as {}", ms, lo.steps(), lastLoss[0], key);
        return d;
    }

    private static void describe(ObjectNode d, LoraWeights w, String flag, boolean value) {
        d.put(flag, value);
        Map<String, String> m = w.metadata();
        if (m.containsKey(META_CACHE_KEY)) {
            d.put("cacheKey", m.get(META_CACHE_KEY));
        }
        if (m.containsKey(META_STEPS)) {
            d.put("steps", Integer.parseInt(m.get(META_STEPS)));
        }
        if (m.containsKey(META_LOSS)) {
            double loss = Double.parseDouble(m.get(META_LOSS));
            if (Double.isFinite(loss)) {
                d.put("loss", loss);
            }
        }
        d.put("rank", w.rank());
        d.put("parameters", w.parameterCount());
    }

    private LoraEngine engine() {
        if (engines.isUnsatisfied()) {
            throw new IllegalStateException("worker-lora has no LoraEngine bean (the DragEditor adapter is missing)");
        }
        return engines.get();
    }
}
