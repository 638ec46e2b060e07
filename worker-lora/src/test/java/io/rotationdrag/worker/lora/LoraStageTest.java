package io.rotationdrag.worker.lora;

import io.rotationdrag.service.testing.TinyModelWorkerProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.lora.LoraWeights;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.db.StageRecordEntity;
import io.rotationdrag.service.testing.Await;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.service.testing.TopicProbe;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The LORA stage handler in the real worker runtime (real Kafka, PostgreSQL, S3; the engine is
 * {@link TestLoraEngine}): stores the LoRA under the job's key, caches it by LoraCacheKey, reuses an earlier
 * attempt's LoRA, reports progress, is cancellable, and fails bad input at once with the reason.
 */
@QuarkusTest
@TestProfile(TinyModelWorkerProfile.class)
@QuarkusTestResource(RdServicesTestResource.class)
class LoraStageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    @Inject
    RdConfig config;

    private final List<UUID> created = new ArrayList<>();

    @BeforeEach
    void reset() {
        TestLoraEngine.stepMs = 0;
    }

    /** The jobs stop at DRAG here (no drag worker): cancel them so no later test's workers pick them up. */
    @AfterEach
    void cancelLeftovers() {
        created.forEach(store::requestCancel);
    }

    static byte[] png(long seed) throws Exception {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(seed);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, r.nextInt(0xFFFFFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private UUID submit(byte[] png, String prompt, String points, String options) {
        UUID id = UUID.randomUUID();
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(id), png, "image/png");
        store.create(new JobStore.NewJob(id, "rotationdrag", prompt, points, options, null, "h-" + id, 64, 64,
                false));
        created.add(id);
        return id;
    }

    private static final String POINTS = "[[10,10],[20,12]]";
    private static final String OPTS = "{\"workingSize\":64,\"lora\":{\"steps\":6,\"rank\":2}}";

    private StageRecordEntity loraRecord(UUID id) {
        return Await.until(Duration.ofSeconds(30), () -> store.records(id).stream()
                        .filter(r -> r.step == JobState.LORA && r.status != StageRecordEntity.Status.RUNNING).findFirst()
                        .orElse(null),
                r -> r != null, "LORA record of " + id);
    }

    private JobEntity awaitState(UUID id, JobState s) {
        return Await.until(Duration.ofSeconds(30), () -> store.find(id).orElseThrow(), j -> j.state == s,
                "job " + id + " in " + s);
    }

    @Test
    void trainsOnceThenServesTheSameInputsFromTheCache() throws Exception {
        long salt = System.nanoTime(); // fresh image: no cache entry from an earlier run
        byte[] image = png(salt);
        int before = TestLoraEngine.TRAINED.get();
        UUID a = submit(image, "a cat", POINTS, OPTS);
        StageRecordEntity ra = loraRecord(a);
        assertEquals(StageRecordEntity.Status.DONE, ra.status, ra.error);
        JsonNode da = JSON.readTree(ra.detailJson);
        assertFalse(da.get("cacheHit").asBoolean(), ra.detailJson);
        assertEquals(6, da.get("steps").asInt());
        assertEquals(1.0 / 6, da.get("loss").asDouble(), 1e-12, "final loss = last step's loss");
        assertEquals(6, ra.progressDone);
        assertEquals(6, ra.progressTotal);
        assertEquals(before + 1, TestLoraEngine.TRAINED.get());
        // The job moved on: its DRAG task and message exist (outbox), LORA is DONE.
        Await.until(Duration.ofSeconds(10), () -> store.tasks(a), t -> t.stream().anyMatch(m ->
                "DRAG".equals(m.get("stage"))), "DRAG task of " + a);

        byte[] loraA = blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(a));
        String cacheKey = da.get("cacheKey").asText();
        byte[] cached = blobs.get(ObjectKeys.MODELS_BUCKET, ObjectKeys.loraCache(cacheKey));
        assertArrayEquals(cached, loraA);
        assertEquals(2, LoraWeights.fromBytes(loraA).rank());

        // Same image pixels, prompt and options: a cache hit, no training, identical bytes.
        UUID b = submit(image, "a cat", POINTS, OPTS);
        JsonNode db = JSON.readTree(loraRecord(b).detailJson);
        assertTrue(db.get("cacheHit").asBoolean(), db.toString());
        assertEquals(cacheKey, db.get("cacheKey").asText());
        assertEquals(before + 1, TestLoraEngine.TRAINED.get(), "no second training");
        assertArrayEquals(loraA, blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(b)));

        // Another prompt is another key: trained again.
        UUID c = submit(image, "a dog", POINTS, OPTS);
        JsonNode dc = JSON.readTree(loraRecord(c).detailJson);
        assertFalse(dc.get("cacheHit").asBoolean());
        assertNotEquals(cacheKey, dc.get("cacheKey").asText());
        assertEquals(before + 2, TestLoraEngine.TRAINED.get());
    }

    @Test
    void loraOfAnEarlierAttemptIsReusedNotRetrained() throws Exception {
        UUID id = UUID.randomUUID();
        byte[] image = png(System.nanoTime());
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(id), image, "image/png");
        LoraWeights earlier = new TestLoraEngine().train(new io.rotationdrag.edit.EditRequest(
                ImageIO.read(new java.io.ByteArrayInputStream(image)), null, List.of(), "p",
                io.rotationdrag.jobs.JobOptions.resolve("rotationdrag", OPTS)), e -> { }, () -> false)
                .withMetadata(Map.of(LoraStageHandler.META_STEPS, "6"));
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(id), earlier.toBytes(), "application/octet-stream");
        int before = TestLoraEngine.TRAINED.get();
        store.create(new JobStore.NewJob(id, "rotationdrag", "p", POINTS, OPTS, null, "h-" + id, 64, 64, false));
        created.add(id);
        JsonNode d = JSON.readTree(loraRecord(id).detailJson);
        assertTrue(d.get("reused").asBoolean(), d.toString());
        assertEquals(before, TestLoraEngine.TRAINED.get());
        assertArrayEquals(earlier.toBytes(), blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(id)));
    }

    @Test
    void disabledLoraStoresNothingAndPassesOn() throws Exception {
        UUID id = submit(png(System.nanoTime()), "p", POINTS, "{\"workingSize\":64,\"lora\":{\"enabled\":false}}");
        StageRecordEntity r = loraRecord(id);
        assertEquals("{\"enabled\":false}", r.detailJson);
        assertFalse(blobs.exists(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(id)));
    }

    @Test
    void cancelStopsTrainingBetweenStepsAndCachesNothing() throws Exception {
        TestLoraEngine.stepMs = 50;
        UUID id = submit(png(System.nanoTime()), "p", POINTS, "{\"workingSize\":64,\"lora\":{\"steps\":400}}");
        Await.until(Duration.ofSeconds(30), () -> store.find(id).orElseThrow(),
                j -> j.state == JobState.LORA && j.progressDone != null && j.progressDone > 0, "LoRA progress");
        assertTrue(store.requestCancel(id).orElseThrow().accepted());
        JobEntity j = awaitState(id, JobState.CANCELLED);
        assertTrue(j.progressDone < 400, "stopped at step " + j.progressDone);
        assertEquals(StageRecordEntity.Status.CANCELLED, loraRecord(id).status);
        assertFalse(blobs.exists(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(id)));
    }

    @Test
    void invalidPointsFailTheJobAtOnceWithTheReasonAndDeadLetterIt() throws Exception {
        UUID id = submit(png(System.nanoTime()), "p", "[[10,10],[500,12]]", OPTS);
        JobEntity j = awaitState(id, JobState.FAILED);
        assertTrue(j.error.contains("failed after 1 attempt(s)"), j.error);
        assertTrue(j.error.contains("target") && j.error.contains("500"), j.error);
        var rec = TopicProbe.await(config.kafka().bootstrap(), Stage.LORA.dlqTopic(),
                r -> id.toString().equals(r.key()), Duration.ofSeconds(20));
        String reason = new String(rec.headers().lastHeader("rd-error").value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("500"), reason);
    }

    @Test
    void missingImageFailsWithTheMissingKey() {
        UUID id = UUID.randomUUID();
        store.create(new JobStore.NewJob(id, "rotationdrag", "p", POINTS, OPTS, null, "h-" + id, 64, 64, false));
        created.add(id);
        JobEntity j = awaitState(id, JobState.FAILED);
        assertTrue(j.error.contains(ObjectKeys.inputImage(id)), j.error);
    }

    @Test
    void healthReportsTheDependenciesAndTheDispatchLoop() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body(containsString("rotationdrag-dependencies"))
                .body(containsString("rotationdrag-base-model")).body(containsString("tiny-model@"))
                // the float32 convolution self-check ran when the model loaded and its verdict is shown
                .body("checks.find { it.name == 'rotationdrag-base-model' }.data.convGradients", org.hamcrest.Matchers.equalTo("OK"))
                .body("checks.find { it.name == 'rotationdrag-base-model' }.data.convGuardBlock", org.hamcrest.Matchers.equalTo(16));
        given().when().get("/q/health/live").then().statusCode(200)
                .body(containsString("/lora-0"));
    }
}
