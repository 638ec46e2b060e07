package io.rotationdrag.e2e;

import io.rotationdrag.diffusion.TinyModelFactory;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.Await;
import io.rotationdrag.storage.ObjectKeys;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** What the e2e tests and the benchmark share: the tiny model, the workers' environment, job submission. */
final class E2eSupport {
    /** Small working size and few steps: a job takes seconds on the tiny model. */
    static final String FAST = "{\"workingSize\":64,\"lora\":{\"steps\":4,\"rank\":4,\"batchSize\":1},"
            + "\"inversion\":{\"numInferenceSteps\":8},\"drag\":{\"maxSteps\":%d,\"stopDistance\":0.0}}";
    /** One drag (20,20) -> (40,28) and one rotation axis at (32,44) in a 64 x 64 image. */
    static final String POINTS = "[[20,20],[40,28],[32,44],[32,44]]";

    private E2eSupport() {
    }

    static String options(int dragSteps) {
        return String.format(FAST, dragSteps);
    }

    /** The tiny SD-1.5-layout model (TinyModelFactory), written once under target/. */
    static synchronized Path tinyModel() throws IOException {
        Path dir = WorkerProcess.repoRoot().resolve("infra/e2e/target/tiny-model");
        if (!Files.isRegularFile(dir.resolve("unet/config.json"))) {
            TinyModelFactory.write(dir, TinyModelFactory.Spec.small(), 11L);
        }
        return dir;
    }

    /** The e2e tests' API key; the gateway gets only its SHA-256 (RD_API_KEYS), as an admin named e2e. */
    static final String API_KEY = "rd-e2e-key-" + java.util.UUID.randomUUID();
    static final String BEARER = "Bearer " + API_KEY;

    static String apiKeysEnv() {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(API_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "e2e:admin:" + java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RD_* settings of every worker process: the tiny model, short leases, quick reaper, sweep and backoff. */
    static Map<String, String> workerEnv() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("RD_MODEL_DIR", tinyModel().toString());
        env.put("RD_MODEL_PATH", tinyModel().toString()); // worker-eval's name for it
        // 10 s: heartbeats every 3.3 s; a 4 s lease expired under a load average of 50+ on 2 cores in a run
        env.put("RD_STAGE_LEASE", "10s");
        env.put("RD_WORKER_REAPER_INTERVAL", "1s");
        env.put("RD_WORKER_SWEEP_GRACE", "1s");
        env.put("RD_STAGE_BACKOFF_INITIAL", "500ms");
        env.put("RD_STAGE_BACKOFF_MAX", "2s");
        return env;
    }

    static byte[] scenePng(long seed) throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        java.util.Random r = new java.util.Random(seed);
        g.setColor(new Color(r.nextInt(0xFFFFFF)));
        g.fillRect(0, 0, 64, 64);
        g.setColor(new Color(r.nextInt(0xFFFFFF)));
        g.fillRect(14, 14, 30, 24);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** The gateway's submission path: input blob first, then the job row + LORA outbox message in one transaction. */
    static UUID submit(JobStore store, BlobStore blobs, byte[] png, String prompt, String points, String options) {
        return submit(store, blobs, UUID.randomUUID(), png, prompt, points, options);
    }

    /** As above with a chosen job id (its stage messages are keyed by it, which picks their partitions). */
    static UUID submit(JobStore store, BlobStore blobs, UUID id, byte[] png, String prompt, String points,
                       String options) {
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(id), png, "image/png");
        store.create(new JobStore.NewJob(id, "rotationdrag", prompt, points, options, null, "e2e-" + id, 64, 64,
                false));
        return id;
    }

    static JobEntity awaitState(JobStore store, UUID id, Duration timeout, JobState... states) {
        java.util.Set<JobState> want = java.util.EnumSet.copyOf(java.util.List.of(states));
        return Await.until(timeout, () -> store.find(id).orElseThrow(),
                j -> want.contains(j.state) || j.state.isTerminal(), "job " + id + " to reach " + want);
    }
}
