package io.rotationdrag.gateway.jobs;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.rotationdrag.edit.PointPair;
import io.rotationdrag.jobs.JobPoints;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.jobs.StageMessage;
import io.rotationdrag.jobs.StageMessageCodec;
import io.rotationdrag.jobs.Topics;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.service.testing.TopicProbe;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.rotationdrag.gateway.TestAuth.given;
import static org.junit.jupiter.api.Assertions.*;

/** A submission end to end on the real stack: the job row, the input blobs, the LORA message on Kafka. */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class JobSubmissionTest extends StackJobTest {
    @Inject
    RdConfig config;

    @Test
    void submissionWritesRowBlobsAndPublishesTheLoraMessage() throws Exception {
        byte[] image = TestInputs.png(64, 64, 1);
        byte[] mask = TestInputs.encode(TestInputs.mask(64, 64), "png");
        Response r = TestInputs.valid(image, mask).post("/api/v1/jobs");
        assertEquals(201, r.statusCode(), r.asString());
        UUID id = UUID.fromString(r.jsonPath().getString("id"));
        assertTrue(r.header("Location").endsWith("/api/v1/jobs/" + id), r.header("Location"));
        assertEquals("QUEUED", r.jsonPath().getString("state"));
        assertEquals("rotationdrag-cached", r.jsonPath().getString("method"));
        assertTrue(r.jsonPath().getString("links.events").startsWith("/api/v1/jobs/" + id + "/events?access=alice."),
                r.jsonPath().getString("links.events")); // signed for the owner: an EventSource sends no header

        JobEntity j = store.find(id).orElseThrow();
        assertEquals(JobState.QUEUED, j.state);
        assertEquals("rotationdrag-cached", j.method);
        assertEquals("an orange bar", j.prompt);
        assertEquals(64, j.imageWidth);
        assertEquals(64, j.imageHeight);
        assertTrue(j.hasMask);
        assertEquals(List.of(new PointPair(16, 32, 40, 20), PointPair.axis(32, 32)),
                JobPoints.parse(j.pointsJson, 16));
        assertEquals("{\"seed\":7,\"drag\":{\"maxSteps\":5}}", j.optionsJson);

        GatewayStorage s3 = new GatewayStorage(config);
        assertArrayEquals(image, s3.get(ObjectKeys.inputImage(id)), "input image byte for byte");
        assertArrayEquals(mask, s3.get(ObjectKeys.inputMask(id)), "mask byte for byte");

        ConsumerRecord<String, byte[]> rec = TopicProbe.await(config.kafka().bootstrap(), Topics.LORA,
                x -> id.toString().equals(x.key()), Duration.ofSeconds(20));
        StageMessage m = StageMessageCodec.fromBytes(rec.value());
        assertEquals(id, m.jobId());
        assertEquals(Stage.LORA, m.stage());
        assertEquals(1, m.attempt());
    }

    @Test
    void jpegIsStoredAsPngWithTheSamePixelsAndNoMaskMeansNoMaskBlob() throws Exception {
        byte[] jpeg = TestInputs.encode(TestInputs.picture(80, 64, 2), "jpg");
        Response r = given().multiPart("image", "scene.jpg", jpeg, "image/jpeg")
                .multiPart("points", "[[10,10],[20,30]]").multiPart("method", "freedrag").post("/api/v1/jobs");
        assertEquals(201, r.statusCode(), r.asString());
        UUID id = UUID.fromString(r.jsonPath().getString("id"));
        GatewayStorage s3 = new GatewayStorage(config);
        BufferedImage stored = ImageIO.read(new ByteArrayInputStream(s3.get(ObjectKeys.inputImage(id))));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertEquals(80, stored.getWidth());
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 80; x++) {
                assertEquals(decoded.getRGB(x, y), stored.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        assertEquals(List.of(ObjectKeys.inputImage(id)), s3.jobKeys().stream()
                .filter(k -> k.startsWith(ObjectKeys.jobPrefix(id))).toList());
        assertFalse(store.find(id).orElseThrow().hasMask);
    }

    @Test
    void groundTruthIsStoredBesideTheInputsAsPngAndIsPartOfTheIdempotentRequest() throws Exception {
        byte[] image = TestInputs.png(64, 64, 21);
        byte[] jpeg = TestInputs.encode(TestInputs.picture(64, 64, 22), "jpg");
        String key = "gt-" + UUID.randomUUID();
        Response r = TestInputs.valid(image, null).multiPart("groundTruth", "truth.jpg", jpeg, "image/jpeg")
                .header("Idempotency-Key", key).post("/api/v1/jobs");
        assertEquals(201, r.statusCode(), r.asString());
        UUID id = UUID.fromString(r.jsonPath().getString("id"));
        GatewayStorage s3 = new GatewayStorage(config);
        BufferedImage stored = ImageIO.read(new ByteArrayInputStream(s3.get(ObjectKeys.inputGroundTruth(id))));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                assertEquals(decoded.getRGB(x, y), stored.getRGB(x, y), "ground truth pixel " + x + "," + y);
            }
        }
        // the same key without the ground truth is another request
        Response without = TestInputs.valid(image, null).header("Idempotency-Key", key).post("/api/v1/jobs");
        assertEquals(422, without.statusCode(), without.asString());
    }

    @Test
    void sameIdempotencyKeyGivesTheSameJobWithoutASecondRowOrBlob() throws Exception {
        byte[] image = TestInputs.png(64, 64, 3);
        String key = "test-" + UUID.randomUUID();
        Response first = TestInputs.valid(image, null).header("Idempotency-Key", key).post("/api/v1/jobs");
        assertEquals(201, first.statusCode(), first.asString());
        String id = first.jsonPath().getString("id");
        long jobs = store.count(null);
        List<String> keys = new GatewayStorage(config).jobKeys();

        // The retry carries the key as the form field this time: header and field are the same key.
        Response again = TestInputs.valid(image, null).multiPart("idempotencyKey", key).post("/api/v1/jobs");
        assertEquals(200, again.statusCode(), again.asString());
        assertEquals(id, again.jsonPath().getString("id"));
        assertTrue(again.header("Location").endsWith("/api/v1/jobs/" + id));
        assertEquals(jobs, store.count(null), "no second job row");
        assertEquals(keys, new GatewayStorage(config).jobKeys(), "no second blob");

        // The same key with another request is refused, and nothing is stored for it either.
        Response other = TestInputs.valid(TestInputs.png(64, 64, 4), null).header("Idempotency-Key", key)
                .post("/api/v1/jobs");
        assertEquals(422, other.statusCode(), other.asString());
        assertEquals("idempotencyKey", other.jsonPath().getString("field"));
        assertTrue(other.jsonPath().getString("message").contains(id), other.asString());
        assertEquals(jobs, store.count(null));
        assertEquals(keys, new GatewayStorage(config).jobKeys());
    }

    @Test
    void concurrentRequestsWithOneKeyMakeOneJob() throws Exception {
        byte[] image = TestInputs.png(64, 64, System.nanoTime()); // unique bytes: earlier runs left jobs behind
        String key = "race-" + UUID.randomUUID();
        long jobs = store.count(null);
        int n = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Response>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(pool.submit(() -> {
                go.await();
                return TestInputs.valid(image, null).header("Idempotency-Key", key).post("/api/v1/jobs");
            }));
        }
        go.countDown();
        java.util.Set<String> ids = new java.util.HashSet<>();
        int created = 0;
        for (java.util.concurrent.Future<Response> f : answers) {
            Response r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.asString());
            created += r.statusCode() == 201 ? 1 : 0;
            ids.add(r.jsonPath().getString("id"));
        }
        pool.shutdown();
        assertEquals(1, ids.size(), "every request answered with the same job: " + ids);
        assertEquals(1, created, "exactly one request created it");
        assertEquals(jobs + 1, store.count(null));
        UUID id = UUID.fromString(ids.iterator().next());
        // The losers' input blobs were removed again: only the winner's prefix holds this image.
        GatewayStorage s3 = new GatewayStorage(config);
        long copies = 0;
        for (String k : s3.jobKeys()) {
            if (k.endsWith("/input/image.png") && java.util.Arrays.equals(image, s3.get(k))) {
                copies++;
                assertEquals(ObjectKeys.inputImage(id), k);
            }
        }
        assertEquals(1, copies);
    }
}
