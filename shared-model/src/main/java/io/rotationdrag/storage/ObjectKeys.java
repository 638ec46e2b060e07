package io.rotationdrag.storage;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Object-store layout (pure functions). Every artefact of a job lives under {@code jobs/<jobId>/} in the
 * {@link #JOBS_BUCKET}; keys are deterministic, so a redelivered stage overwrites (never duplicates) and can
 * test for finished work by key.
 */
public final class ObjectKeys {
    public static final String JOBS_BUCKET = "rd-jobs";
    public static final String MODELS_BUCKET = "rd-models";
    public static final String DATASETS_BUCKET = "rd-datasets";

    private static final Pattern CACHE_KEY = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private ObjectKeys() {
    }

    public static String jobPrefix(UUID jobId) {
        return "jobs/" + Objects.requireNonNull(jobId, "jobId") + "/";
    }

    public static String inputImage(UUID jobId) {
        return jobPrefix(jobId) + "input/image.png";
    }

    public static String inputMask(UUID jobId) {
        return jobPrefix(jobId) + "input/mask.png";
    }

    /** Expected edited image of a benchmark sample with ground truth (synthetic set); absent for user jobs. */
    public static String inputGroundTruth(UUID jobId) {
        return jobPrefix(jobId) + "input/ground_truth.png";
    }

    /** The LoRA the job uses (a copy of, or the same bytes as, the cache entry). */
    public static String lora(UUID jobId) {
        return jobPrefix(jobId) + "lora/lora.safetensors";
    }

    /** Inverted latent z_t and its metadata (Inversion.toBytes()). */
    public static String inversion(UUID jobId) {
        return jobPrefix(jobId) + "latents/inversion.safetensors";
    }

    /** Optimised latent after the drag (DragOutcome.toBytes()). */
    public static String dragOutcome(UUID jobId) {
        return jobPrefix(jobId) + "latents/drag.safetensors";
    }

    public static String result(UUID jobId) {
        return jobPrefix(jobId) + "result/result.png";
    }

    public static String trajectory(UUID jobId) {
        return jobPrefix(jobId) + "result/trajectory.json";
    }

    public static String metrics(UUID jobId) {
        return jobPrefix(jobId) + "result/metrics.json";
    }

    /**
     * The drag stage's latest progress ({@code jobs.DragProgress} JSON: step, total, handle positions in input
     * pixels, loss, step of the latest preview); overwritten every few drag steps, streamed by the gateway's SSE.
     */
    public static String dragProgress(UUID jobId) {
        return jobPrefix(jobId) + "progress/drag.json";
    }

    /** Preview image (PNG) decoded at a drag step ({@code EditOptions.previewEvery}). */
    public static String preview(UUID jobId, int step) {
        if (step < 0) {
            throw new IllegalArgumentException("preview step must be >= 0: " + step);
        }
        return jobPrefix(jobId) + String.format(java.util.Locale.ROOT, "progress/preview-%05d.png", step);
    }

    /** LoRA cache entry in {@link #MODELS_BUCKET}, keyed by the edit module's LoRA cache key. */
    public static String loraCache(String cacheKey) {
        if (cacheKey == null || !CACHE_KEY.matcher(cacheKey).matches()) {
            throw new IllegalArgumentException("LoRA cache key must match " + CACHE_KEY + ": " + cacheKey);
        }
        return "lora-cache/" + cacheKey + ".safetensors";
    }
}
