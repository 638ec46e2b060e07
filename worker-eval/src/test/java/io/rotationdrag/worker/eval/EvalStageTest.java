package io.rotationdrag.worker.eval;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.rotationdrag.drag.TrackerStats;
import io.rotationdrag.edit.DragOutcome;
import io.rotationdrag.eval.EvalReport;
import io.rotationdrag.eval.MaskedFidelity;
import io.rotationdrag.eval.MeanDistance;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.jobs.StageMessage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.db.StageRecordEntity;
import io.rotationdrag.service.testing.Await;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The EVAL stage on the real stack (Kafka, PostgreSQL, S3 from infra/local) with a tiny model: the test writes a
 * job's artefacts, moves the job through LORA and DRAG with the real JobStore transitions (so the EVAL message
 * goes through the outbox and Kafka), and the worker's dispatch loop evaluates it.
 */
@QuarkusTest
@TestProfile(EvalWorkerProfile.class)
@QuarkusTestResource(RdServicesTestResource.class)
@QuarkusTestResource(TinyModelResource.class)
class EvalStageTest {
    static final String JOBS = ObjectKeys.JOBS_BUCKET;
    static final String POINTS = "[[20,24],[40,24],[33,41],[33,29],[30,30],[30,30]]"; // drags of 20 and 12 px + axis

    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    @Inject
    EntityManager em;

    static BufferedImage texture(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static BufferedImage centreMask(int w, int h) {
        BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 10; y < 50; y++) {
            for (int x = 10; x < 50; x++) {
                m.getRaster().setSample(x, y, 0, 255);
            }
        }
        return m;
    }

    /** A job whose input (and mask) the gateway would have written; result written as the DRAG stage would. */
    UUID job(BufferedImage input, BufferedImage result, boolean mask) throws Exception {
        UUID id = UUID.randomUUID();
        blobs.put(JOBS, ObjectKeys.inputImage(id), png(input), "image/png");
        if (mask) {
            blobs.put(JOBS, ObjectKeys.inputMask(id), png(centreMask(input.getWidth(), input.getHeight())), "image/png");
        }
        if (result != null) {
            blobs.put(JOBS, ObjectKeys.result(id), png(result), "image/png");
        }
        store.create(new JobStore.NewJob(id, "rotationdrag", "a red cube", POINTS, "{}", null, "h-" + id,
                input.getWidth(), input.getHeight(), mask));
        return id;
    }

    /** Runs LORA and DRAG "by hand" through JobStore (as their workers do), leaving the EVAL task + message. */
    void finishEarlierStages(UUID id) {
        String w = "test-worker-" + id;
        for (Stage s : List.of(Stage.LORA, Stage.DRAG)) {
            JobStore.Claim c = store.claim(StageMessage.first(id, s), "eval-test", w);
            assertEquals(JobStore.ClaimStatus.CLAIMED, c.status(), c.reason());
            for (JobState step : s.steps()) {
                assertTrue(store.beginStep(id, s, step, 1, w));
                store.endStep(id, step, 1, null);
            }
            assertTrue(store.completeStage(id, s, w));
        }
        // Fixed step durations so the wall-time metrics are known: DRAG 1.5 s, DENOISE 0.25 s.
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        QuarkusTransaction.requiringNew().run(() -> {
            setRecord(id, JobState.DRAG, t0, t0.plusMillis(1500));
            setRecord(id, JobState.DENOISE, t0, t0.plusMillis(250));
        });
    }

    void setRecord(UUID id, JobState step, Instant start, Instant end) {
        em.createNativeQuery("update job_stage_records set started_at = ?3, ended_at = ?4 where job_id = ?1 and step = ?2")
                .setParameter(1, id).setParameter(2, step.name()).setParameter(3, Timestamp.from(start))
                .setParameter(4, Timestamp.from(end)).executeUpdate();
    }

    JobEntity await(UUID id, JobState state) {
        return Await.until(Duration.ofSeconds(90), () -> store.find(id).orElseThrow(), j -> j.state == state
                || (j.state.isTerminal() && j.state != state), "job " + id + " to reach " + state);
    }

    @Test
    void evaluatesAJobThroughKafkaAndCompletesIt() throws Exception {
        BufferedImage img = texture(64, 64, 1);
        UUID id = job(img, img, true); // result == input: hand-computable metrics
        finishEarlierStages(id);
        JobEntity done = await(id, JobState.SUCCEEDED);
        assertEquals(JobState.SUCCEEDED, done.state, String.valueOf(done.error));
        EvalReport r = EvalReport.fromJson(done.metricsJson);
        // unchanged image: each handle's content stays at the handle, MD = mean drag length (20 + 12) / 2
        assertEquals(16.0, r.metric(MeanDistance.MD).require(), 1e-9);
        assertEquals(0.0, r.metric(MeanDistance.MD_AXIS).require());
        assertEquals(Double.POSITIVE_INFINITY, r.metric(MaskedFidelity.PSNR_OUTSIDE).require());
        assertEquals(1.0, r.metric(MaskedFidelity.SSIM_OUTSIDE).require(), 1e-12);
        assertEquals(1.5, r.metric("wall_s_drag").require());
        assertEquals(0.25, r.metric("wall_s_denoise").require());
        assertFalse(r.metric("image_fidelity").available(), "no LPIPS weights configured: IF must be absent");
        assertFalse(r.metric(MaskedFidelity.PSNR_INSIDE_GT).available());
        assertEquals(2, ((Number) r.settings().get("dift_ensemble")).intValue());
        assertEquals(261, ((Number) r.settings().get("dift_timestep")).intValue());
        // the same JSON is in the object store
        assertEquals(done.metricsJson, new String(blobs.get(JOBS, ObjectKeys.metrics(id)), StandardCharsets.UTF_8));
        StageRecordEntity eval = store.records(id).stream().filter(x -> x.step == JobState.EVAL).findFirst().orElseThrow();
        assertEquals(StageRecordEntity.Status.DONE, eval.status);
        assertTrue(eval.detailJson.contains("\"reused\":false"), eval.detailJson);

        // a redelivered EVAL message for the finished job changes nothing
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("insert into outbox (topic, msg_key, payload, "
                + "created_at) values (?1, ?2, ?3, now())").setParameter(1, Stage.EVAL.topic())
                .setParameter(2, id.toString()).setParameter(3, io.rotationdrag.jobs.StageMessageCodec.toBytes(
                        StageMessage.first(id, Stage.EVAL))).executeUpdate());
        Thread.sleep(3000);
        JobEntity after = store.find(id).orElseThrow();
        assertEquals(JobState.SUCCEEDED, after.state);
        assertEquals(done.metricsJson, after.metricsJson);
        assertEquals(1, store.records(id).stream().filter(x -> x.step == JobState.EVAL).count());
    }

    @Test
    void trackingQualityFromTheDragOutcome() throws Exception {
        BufferedImage img = texture(64, 64, 6);
        UUID id = job(img, img, true);
        // two drag handles tracked to (37, 28) and (33, 29): errors |(37,28)-(40,24)| = 5 and 0; the axis is skipped
        List<List<double[]>> traj = List.of(List.of(new double[]{20, 24}, new double[]{33, 41}),
                List.of(new double[]{37, 28}, new double[]{33, 29}));
        DragOutcome d = new DragOutcome(new float[4 * 8 * 8], new long[]{1, 4, 8, 8}, 261, "rotationdrag", traj,
                List.of(), List.of(0.5), 1, "MAX_STEPS", 12, 1, 0, new TrackerStats(1, 1, 0, 0, 0));
        blobs.put(JOBS, ObjectKeys.dragOutcome(id), d.toBytes(), "application/octet-stream");
        finishEarlierStages(id);
        EvalReport r = EvalReport.fromJson(await(id, JobState.SUCCEEDED).metricsJson);
        assertEquals(2.5, r.metric("tracking_final_error").require(), 1e-12);
        assertEquals(5.0, r.metric("tracking_max_error").require(), 1e-12);
        assertEquals(0.5, r.metric("tracking_reached_fraction").require());
        assertEquals(1, r.metric("drag_steps").require());
        assertEquals(12, r.metric("unet_forwards").require());
        assertEquals(1.5, r.metric("wall_s_drag").require());
    }

    @Test
    void groundTruthMetricsWhenTheSampleHasOne() throws Exception {
        BufferedImage img = texture(64, 64, 2);
        BufferedImage res = texture(64, 64, 3);
        UUID id = job(img, res, false);
        blobs.put(JOBS, ObjectKeys.inputGroundTruth(id), png(res), "image/png");
        finishEarlierStages(id);
        JobEntity done = await(id, JobState.SUCCEEDED);
        EvalReport r = EvalReport.fromJson(done.metricsJson);
        assertEquals(0.0, r.metric(MeanDistance.HANDLE_CONTENT_VS_GT).require()); // the result is the ground truth
        assertEquals(Double.POSITIVE_INFINITY, r.metric(MaskedFidelity.PSNR_INSIDE_GT).require());
        assertFalse(r.metric(MaskedFidelity.PSNR_OUTSIDE).available()); // no mask: nothing outside
    }

    @Test
    void redeliveryAfterTheMetricsWereWrittenReusesThem() throws Exception {
        BufferedImage img = texture(64, 64, 4);
        UUID id = job(img, img, true);
        // an earlier attempt crashed after writing the metrics object but before completing the stage
        String earlier = "{\"version\":1,\"metrics\":{\"md\":{\"value\":7.5}},\"pairs\":[],\"settings\":{}}";
        blobs.put(JOBS, ObjectKeys.metrics(id), earlier.getBytes(StandardCharsets.UTF_8), "application/json");
        finishEarlierStages(id);
        JobEntity done = await(id, JobState.SUCCEEDED);
        assertEquals(earlier, done.metricsJson);
        StageRecordEntity eval = store.records(id).stream().filter(x -> x.step == JobState.EVAL).findFirst().orElseThrow();
        assertTrue(eval.detailJson.contains("\"reused\":true"), eval.detailJson);
    }

    @Test
    void missingResultFailsTheJobWithTheReason() throws Exception {
        UUID id = job(texture(64, 64, 5), null, false);
        finishEarlierStages(id);
        JobEntity failed = await(id, JobState.FAILED);
        assertEquals(JobState.FAILED, failed.state);
        assertTrue(failed.error.contains("no result image"), failed.error);
    }

    @Test
    void readinessReportsTheModel() {
        given().when().get("/q/health/ready").then().statusCode(200).body(containsString("eval-model"));
    }
}
