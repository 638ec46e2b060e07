package io.rotationdrag.service.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stage handlers for testing the job runtime itself (leases, retries, DLQ, cancel, reaper, scaling): they do
 * real object-store I/O under the job's keys, and their behaviour is scripted by the job's options JSON:
 * {@code {"failAlways":"LORA"}}, {@code {"failOnce":"DRAG"}}, {@code {"dragSteps":20,"stepMs":100}}.
 * The real engine stages live in the worker modules and are tested there.
 */
final class ScriptedHandlers {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Counts how often each step body really ran (not reused) per job: idempotence checks. */
    static final ConcurrentHashMap<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();

    private ScriptedHandlers() {
    }

    static JsonNode script(StageContext ctx) throws Exception {
        return JSON.readTree(ctx.job().optionsJson);
    }

    static void count(StageContext ctx, JobState step) {
        EXECUTIONS.computeIfAbsent(ctx.jobId() + "/" + step, k -> new AtomicInteger()).incrementAndGet();
    }

    static int executions(java.util.UUID job, JobState step) {
        AtomicInteger n = EXECUTIONS.get(job + "/" + step);
        return n == null ? 0 : n.get();
    }

    static void maybeFail(StageContext ctx, JsonNode s) {
        if (ctx.stage().name().equals(s.path("failAlways").asText())) {
            throw new IllegalStateException("scripted failure of " + ctx.stage());
        }
        if (ctx.stage().name().equals(s.path("failOnce").asText()) && ctx.attempt() == 1) {
            throw new IllegalStateException("scripted first-attempt failure of " + ctx.stage());
        }
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @ApplicationScoped
    static class Lora implements StageHandler {
        @Override
        public Stage stage() {
            return Stage.LORA;
        }

        @Override
        public void run(StageContext ctx) throws Exception {
            JsonNode s = script(ctx);
            ctx.step(JobState.LORA, () -> {
                maybeFail(ctx, s);
                byte[] image = ctx.blobs().get(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(ctx.jobId()));
                byte[] lora = ("lora-of:" + sha(image)).getBytes(StandardCharsets.UTF_8);
                ctx.blobs().put(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(ctx.jobId()), lora, "application/octet-stream");
                count(ctx, JobState.LORA);
                return null;
            });
        }
    }

    @ApplicationScoped
    static class Drag implements StageHandler {
        @Override
        public Stage stage() {
            return Stage.DRAG;
        }

        @Override
        public void run(StageContext ctx) throws Exception {
            JsonNode s = script(ctx);
            var blobs = ctx.blobs();
            ctx.step(JobState.INVERT, () -> {
                String key = ObjectKeys.inversion(ctx.jobId());
                if (blobs.exists(ObjectKeys.JOBS_BUCKET, key)) {
                    return "{\"reused\":true}"; // an earlier attempt finished this step
                }
                byte[] lora = blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(ctx.jobId()));
                blobs.put(ObjectKeys.JOBS_BUCKET, key, ("inverted:" + sha(lora)).getBytes(StandardCharsets.UTF_8),
                        "application/octet-stream");
                count(ctx, JobState.INVERT);
                return "{\"reused\":false}";
            });
            ctx.step(JobState.DRAG, () -> {
                maybeFail(ctx, s);
                int steps = s.path("dragSteps").asInt(3);
                long stepMs = s.path("stepMs").asLong(10);
                for (int i = 1; i <= steps; i++) {
                    ctx.checkCancelled(); // what the engine's Cancellation does between steps
                    Thread.sleep(stepMs);
                    ctx.progress(i, steps);
                }
                blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragOutcome(ctx.jobId()),
                        ("dragged " + steps).getBytes(StandardCharsets.UTF_8), "application/octet-stream");
                count(ctx, JobState.DRAG);
                return "{\"steps\":" + steps + "}";
            });
            ctx.step(JobState.DENOISE, () -> {
                blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(ctx.jobId()),
                        blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(ctx.jobId())), "image/png");
                count(ctx, JobState.DENOISE);
                return null;
            });
        }
    }

    @ApplicationScoped
    static class Eval implements StageHandler {
        @Override
        public Stage stage() {
            return Stage.EVAL;
        }

        @Override
        public void run(StageContext ctx) throws Exception {
            JsonNode s = script(ctx);
            ctx.step(JobState.EVAL, () -> {
                maybeFail(ctx, s);
                byte[] result = ctx.blobs().get(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(ctx.jobId()));
                count(ctx, JobState.EVAL);
                return "{\"resultBytes\":" + result.length + "}";
            });
        }
    }
}
