package io.rotationdrag.service.runtime;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.jobs.StageMessage;
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
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The job runtime on real Kafka, PostgreSQL and S3, with scripted stage handlers (see {@link ScriptedHandlers}):
 * dispatch through all stages, retries then DLQ, cancel mid-stage, reaper after a dead worker, two consumers
 * of one group sharing work, duplicate-message idempotence.
 */
@QuarkusTest
@TestProfile(KitTestProfile.class)
@QuarkusTestResource(RdServicesTestResource.class)
class JobRuntimeTest {
    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    @Inject
    RdConfig config;

    @Inject
    EntityManager em;

    @Inject
    WorkerRuntime runtime;

    private UUID submit(String script) {
        UUID id = UUID.randomUUID();
        byte[] image = new byte[256];
        new Random(id.getLeastSignificantBits()).nextBytes(image);
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(id), image, "image/png");
        store.create(new JobStore.NewJob(id, "rotationdrag", "a test", "[[1,1],[2,2]]", script, null,
                "hash-" + id, 8, 8, false));
        return id;
    }

    private JobEntity awaitState(UUID id, JobState state, Duration timeout) {
        return Await.until(timeout, () -> store.find(id).orElseThrow(), j -> j.state == state,
                "job " + id + " to reach " + state);
    }

    @Test
    void jobRunsThroughEveryStageAndWorkerStoresBlobsReadBackByteForByte() throws Exception {
        UUID id = submit("{}");
        JobEntity done = awaitState(id, JobState.SUCCEEDED, Duration.ofSeconds(30));
        assertNotNull(done.startedAt);
        assertNotNull(done.finishedAt);
        List<StageRecordEntity> recs = store.records(id);
        assertEquals(List.of(JobState.LORA, JobState.INVERT, JobState.DRAG, JobState.DENOISE, JobState.EVAL),
                recs.stream().map(r -> r.step).toList());
        for (StageRecordEntity r : recs) {
            assertEquals(StageRecordEntity.Status.DONE, r.status, r.step + " status");
            assertEquals(1, r.attempt);
            assertNotNull(r.endedAt);
            assertFalse(r.endedAt.isBefore(r.startedAt));
            assertTrue(r.workerId.contains("/" + Stage.fromTopic(topicOf(r.step)).id() + "-"), r.workerId);
        }
        // The LoRA worker wrote a blob derived from the input through the MinIO SDK; read it back byte for byte.
        byte[] input = blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(id));
        byte[] expected = ("lora-of:" + ScriptedHandlers.sha(input)).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(id)));
        assertArrayEquals(input, blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(id)));
        assertEquals(Set.of(ObjectKeys.inputImage(id), ObjectKeys.lora(id), ObjectKeys.inversion(id),
                        ObjectKeys.dragOutcome(id), ObjectKeys.result(id)),
                new HashSet<>(blobs.list(ObjectKeys.JOBS_BUCKET, ObjectKeys.jobPrefix(id))));
        for (Map<String, Object> t : store.tasks(id)) {
            assertEquals("DONE", t.get("status"), t.toString());
        }
    }

    private static String topicOf(JobState step) {
        for (Stage s : Stage.values()) {
            if (s.steps().contains(step)) {
                return s.topic();
            }
        }
        throw new IllegalArgumentException(step.name());
    }

    @Test
    void failingStageIsRetriedThenSucceeds() {
        UUID id = submit("{\"failOnce\":\"DRAG\"}");
        awaitState(id, JobState.SUCCEEDED, Duration.ofSeconds(30));
        List<StageRecordEntity> drag = store.records(id).stream().filter(r -> r.step == JobState.DRAG).toList();
        assertEquals(2, drag.size());
        assertEquals(StageRecordEntity.Status.FAILED, drag.get(0).status);
        assertTrue(drag.get(0).error.contains("scripted first-attempt failure"), drag.get(0).error);
        assertEquals(StageRecordEntity.Status.DONE, drag.get(1).status);
        assertEquals(2, drag.get(1).attempt);
        // INVERT of attempt 2 found the inverted latent of attempt 1 and did not redo it.
        assertEquals(1, ScriptedHandlers.executions(id, JobState.INVERT));

        // the Prometheus scrape has the stage durations by outcome, the retry and the consumer lag
        String scrape = scrape();
        assertTrue(scrape.contains("rd_stage_duration_seconds_count{outcome=\"done\",stage=\"DRAG\"}"), scrape);
        assertTrue(scrape.contains("rd_stage_duration_seconds_bucket{outcome=\"retry\",stage=\"DRAG\""), scrape);
        assertTrue(scrape.lines().anyMatch(l -> l.startsWith("rd_stage_retries_total{stage=\"DRAG\"}")
                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1), scrape);
        assertTrue(scrape.contains("kafka_consumer_fetch_manager_records_lag"), "consumer lag metrics");
    }

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private String scrape() {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            return r.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void poisonMessageEndsInDeadLetterTopicWithJobFailed() {
        UUID id = submit("{\"failAlways\":\"LORA\"}");
        JobEntity failed = awaitState(id, JobState.FAILED, Duration.ofSeconds(30));
        assertTrue(failed.error.contains("failed after 3 attempt(s)"), failed.error);
        assertTrue(failed.error.contains("scripted failure of LORA"), failed.error);
        assertEquals(3, store.records(id).stream().filter(r -> r.step == JobState.LORA
                && r.status == StageRecordEntity.Status.FAILED).count());
        var rec = TopicProbe.await(config.kafka().bootstrap(), Stage.LORA.dlqTopic(),
                r -> id.toString().equals(r.key()), Duration.ofSeconds(20));
        String reason = new String(rec.headers().lastHeader("rd-error").value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("scripted failure of LORA"), reason);
        assertTrue(store.tasks(id).stream().anyMatch(t -> "FAILED".equals(t.get("status"))));
        assertTrue(store.tasks(id).stream().noneMatch(t -> "DRAG".equals(t.get("stage"))), "no later stage");
    }

    @Test
    void undecodableRecordGoesToDeadLetterTopic() {
        String key = "garbage-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                config.kafka().bootstrap(), "key.serializer", StringSerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()))) {
            p.send(new ProducerRecord<>(Stage.EVAL.topic(), key, "{not json".getBytes(StandardCharsets.UTF_8)));
        }
        var rec = TopicProbe.await(config.kafka().bootstrap(), Stage.EVAL.dlqTopic(), r -> key.equals(r.key()),
                Duration.ofSeconds(20));
        assertEquals("{not json", new String(rec.value(), StandardCharsets.UTF_8));
        assertTrue(new String(rec.headers().lastHeader("rd-error").value(), StandardCharsets.UTF_8)
                .contains("not JSON"));
    }

    @Test
    void cancelStopsTheDragAtItsNextStep() {
        UUID id = submit("{\"dragSteps\":200,\"stepMs\":50}");
        Await.until(Duration.ofSeconds(30), () -> store.find(id).orElseThrow(),
                j -> j.state == JobState.DRAG && j.progressDone != null && j.progressDone > 0, "drag progress");
        var outcome = store.requestCancel(id).orElseThrow();
        assertTrue(outcome.accepted());
        long t0 = System.nanoTime();
        JobEntity j = awaitState(id, JobState.CANCELLED, Duration.ofSeconds(10));
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "worker stopped within seconds, not after 10 s of steps");
        assertTrue(j.progressDone < 200, "stopped mid-drag at step " + j.progressDone);
        StageRecordEntity drag = store.records(id).stream().filter(r -> r.step == JobState.DRAG).findFirst()
                .orElseThrow();
        assertEquals(StageRecordEntity.Status.CANCELLED, drag.status);
        assertFalse(blobs.exists(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(id)));
        assertTrue(store.tasks(id).stream().noneMatch(t -> "EVAL".equals(t.get("stage"))));
        // Cancelling a terminal job is refused.
        assertFalse(store.requestCancel(id).orElseThrow().accepted());
    }

    @Test
    void reaperRequeuesTheStageOfADeadWorkerAndTheJobFinishesWithoutDuplicateWork() {
        UUID id = UUID.randomUUID();
        byte[] image = "image".getBytes(StandardCharsets.UTF_8);
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(id), image, "image/png");
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(id), "lora".getBytes(StandardCharsets.UTF_8), "x/y");
        // The dead worker had inverted (blob written) and was mid-drag when it died: its lease is expired.
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inversion(id), "inv".getBytes(StandardCharsets.UTF_8), "x/y");
        Instant past = Instant.now().minusSeconds(60);
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("insert into jobs (id, state, method, prompt, points_json, options_json, request_hash,"
                    + " image_width, image_height, has_mask, created_at, updated_at, started_at) values (?1, 'DRAG',"
                    + " 'rotationdrag', '', '[[1,1],[2,2]]', '{}', 'h', 8, 8, false, ?2, ?2, ?2)")
                    .setParameter(1, id).setParameter(2, Timestamp.from(past)).executeUpdate();
            em.createNativeQuery("insert into stage_tasks (job_id, stage, status, attempts, max_attempts, available_at,"
                    + " created_at, updated_at) values (?1, 'LORA', 'DONE', 1, 3, ?2, ?2, ?2)")
                    .setParameter(1, id).setParameter(2, Timestamp.from(past)).executeUpdate();
            em.createNativeQuery("insert into stage_tasks (job_id, stage, status, attempts, max_attempts, owner,"
                    + " lease_until, available_at, created_at, updated_at) values (?1, 'DRAG', 'RUNNING', 1, 3,"
                    + " 'dead-worker', ?2, ?2, ?2, ?2)")
                    .setParameter(1, id).setParameter(2, Timestamp.from(past)).executeUpdate();
            for (String step : List.of("INVERT", "DRAG")) {
                em.createNativeQuery("insert into job_stage_records (job_id, step, attempt, worker_id, status, "
                        + "started_at, ended_at) values (?1, ?2, 1, 'dead-worker', ?3, ?4, ?5)")
                        .setParameter(1, id).setParameter(2, step)
                        .setParameter(3, step.equals("INVERT") ? "DONE" : "RUNNING")
                        .setParameter(4, Timestamp.from(past))
                        .setParameter(5, step.equals("INVERT") ? Timestamp.from(past) : null).executeUpdate();
            }
        });
        awaitState(id, JobState.SUCCEEDED, Duration.ofSeconds(30));
        List<StageRecordEntity> recs = store.records(id);
        StageRecordEntity deadDrag = recs.stream().filter(r -> r.step == JobState.DRAG && r.attempt == 1)
                .findFirst().orElseThrow();
        assertEquals(StageRecordEntity.Status.FAILED, deadDrag.status);
        assertTrue(deadDrag.error.contains("dead-worker"), deadDrag.error);
        StageRecordEntity invert2 = recs.stream().filter(r -> r.step == JobState.INVERT && r.attempt == 2)
                .findFirst().orElseThrow();
        assertEquals("{\"reused\":true}", invert2.detailJson, "the inverted latent of the dead worker was reused");
        assertEquals(0, ScriptedHandlers.executions(id, JobState.INVERT));
        assertArrayEquals("inv".getBytes(StandardCharsets.UTF_8),
                blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.inversion(id)));
        assertEquals(Set.of(ObjectKeys.inputImage(id), ObjectKeys.lora(id), ObjectKeys.inversion(id),
                        ObjectKeys.dragOutcome(id), ObjectKeys.result(id)),
                new HashSet<>(blobs.list(ObjectKeys.JOBS_BUCKET, ObjectKeys.jobPrefix(id))), "no duplicate blobs");
    }

    @Test
    void twoConsumersOfOneGroupRunTwoJobsInParallel() {
        List<StageWorker> dragWorkers = runtime.workers().stream().filter(w -> w.stage() == Stage.DRAG).toList();
        assertEquals(2, dragWorkers.size(), "two drag consumers in one group");
        UUID a = submit("{\"dragSteps\":30,\"stepMs\":100}");
        UUID b = submit("{\"dragSteps\":30,\"stepMs\":100}");
        awaitState(a, JobState.SUCCEEDED, Duration.ofSeconds(40));
        awaitState(b, JobState.SUCCEEDED, Duration.ofSeconds(40));
        StageRecordEntity da = store.records(a).stream().filter(r -> r.step == JobState.DRAG).findFirst().orElseThrow();
        StageRecordEntity db = store.records(b).stream().filter(r -> r.step == JobState.DRAG).findFirst().orElseThrow();
        assertNotEquals(da.workerId, db.workerId, "each job's drag ran on a different consumer");
        boolean overlap = da.startedAt.isBefore(db.endedAt) && db.startedAt.isBefore(da.endedAt);
        assertTrue(overlap, "the two 3 s drags ran at the same time: " + da.startedAt + ".." + da.endedAt
                + " vs " + db.startedAt + ".." + db.endedAt);
        Set<UUID> ran = new HashSet<>();
        dragWorkers.forEach(w -> ran.addAll(w.handledJobs()));
        assertTrue(ran.containsAll(List.of(a, b)));
    }

    @Test
    void theSameMessageIsHandledOnce() {
        UUID id = submit("{\"dragSteps\":1}");
        awaitState(id, JobState.SUCCEEDED, Duration.ofSeconds(30));
        StageMessage m = StageMessage.first(id, Stage.EVAL);
        // Redelivery of a finished stage: skipped by the lease state, and the inbox remembers the id.
        JobStore.Claim c = store.claim(m, "test-group", "test-worker");
        assertEquals(JobStore.ClaimStatus.SKIP, c.status());
        assertThrows(JobStore.DuplicateMessage.class, () -> store.claim(m, "test-group", "test-worker"));
        assertEquals(1, store.records(id).stream().filter(r -> r.step == JobState.EVAL).count());
    }
}
