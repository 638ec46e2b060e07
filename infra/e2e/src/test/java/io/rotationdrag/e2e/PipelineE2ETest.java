package io.rotationdrag.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.config.KafkaSettings;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.db.StageRecordEntity;
import io.rotationdrag.service.testing.Await;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.service.testing.TopicProbe;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The packaged worker apps as processes on the real stack with the tiny model. The test process submits jobs
 * through service-kit's JobStore (the gateway's path) and runs no stage itself.
 *
 * <p>When the packaged worker-eval has no EVAL dispatch loop yet (its liveness lists no ".../eval-0"), the
 * pipeline assertions stop at the EVAL stage having been dispatched, and say so on stdout.
 */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineE2ETest {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration READY = Duration.ofMinutes(3);
    private static final List<WorkerProcess> PROCESSES = new ArrayList<>();
    private static WorkerProcess lora;
    private static WorkerProcess eval;
    private static WorkerProcess drag1;
    private static Boolean evalRuns;

    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    @Inject
    RdConfig config;

    private static WorkerProcess start(String module, String id) throws Exception {
        WorkerProcess p = WorkerProcess.start(module, id, E2eSupport.workerEnv());
        PROCESSES.add(p);
        return p;
    }

    private static Throwable startFailure;

    /** lora-1, eval-1 and drag-1, started once, in parallel, and awaited; a failed start fails every test. */
    private static synchronized void baseWorkers() throws Exception {
        if (startFailure != null) {
            throw new IllegalStateException("the base workers did not start", startFailure);
        }
        if (lora != null) {
            return;
        }
        try {
            WorkerProcess l = start("worker-lora", "e2e-lora-1");
            WorkerProcess e = start("worker-eval", "e2e-eval-1");
            WorkerProcess d = start("worker-drag", "e2e-drag-1");
            l.awaitReady(READY);
            e.awaitReady(READY);
            d.awaitReady(READY);
            evalRuns = e.get("/q/health/live").contains("/eval-0");
            lora = l;
            eval = e;
            drag1 = d;
        } catch (Exception | Error t) {
            startFailure = t;
            throw t;
        }
        if (!evalRuns) {
            System.out.println("[e2e] NOTE: worker-eval has no EVAL stage handler yet: pipeline assertions stop at "
                    + "the EVAL stage being dispatched (task + message), not at SUCCEEDED");
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (WorkerProcess p : PROCESSES) {
            p.close();
        }
    }

    /** SUCCEEDED when worker-eval runs EVAL; otherwise the EVAL task exists (DRAG completed and handed on). */
    private JobEntity awaitPipelineEnd(UUID id) {
        if (evalRuns) {
            JobEntity j = E2eSupport.awaitState(store, id, JOB_TIMEOUT, JobState.SUCCEEDED);
            assertEquals(JobState.SUCCEEDED, j.state, "job " + id + ": " + j.error);
            return j;
        }
        Await.until(JOB_TIMEOUT, () -> store.tasks(id), t -> t.stream().anyMatch(m -> "EVAL".equals(m.get("stage")))
                || store.find(id).orElseThrow().state.isTerminal(), "EVAL task of " + id);
        JobEntity j = store.find(id).orElseThrow();
        assertFalse(j.state == JobState.FAILED || j.state == JobState.CANCELLED, "job " + id + ": " + j.error);
        return j;
    }

    private List<StageRecordEntity> records(UUID id, JobState step) {
        return store.records(id).stream().filter(r -> r.step == step).toList();
    }

    private Set<String> expectedBlobs(UUID id) {
        Set<String> s = new HashSet<>(Set.of(ObjectKeys.inputImage(id), ObjectKeys.lora(id), ObjectKeys.inversion(id),
                ObjectKeys.dragOutcome(id), ObjectKeys.trajectory(id), ObjectKeys.result(id),
                ObjectKeys.dragProgress(id)));
        return s;
    }

    /** Blobs of the job without what EVAL adds (metrics), so the check holds with or without worker-eval. */
    private Set<String> workerBlobs(UUID id) {
        Set<String> s = new HashSet<>(blobs.list(ObjectKeys.JOBS_BUCKET, ObjectKeys.jobPrefix(id)));
        s.remove(ObjectKeys.metrics(id));
        return s;
    }

    @Test
    @Order(1)
    void aJobRunsThroughEveryStageWithAReadableResultAndCompleteStageRecords() throws Exception {
        baseWorkers();
        // A fresh image per run: the LoRA cache in rd-models outlives a run.
        byte[] png = E2eSupport.scenePng(System.nanoTime());
        UUID id = E2eSupport.submit(store, blobs, png, "a red box", E2eSupport.POINTS, E2eSupport.options(6));
        awaitPipelineEnd(id);
        BufferedImage result = ImageIO.read(new ByteArrayInputStream(blobs.get(ObjectKeys.JOBS_BUCKET,
                ObjectKeys.result(id))));
        assertNotNull(result, "result.png decodes");
        assertTrue(result.getWidth() > 0 && result.getHeight() > 0);
        List<JobState> steps = new ArrayList<>(List.of(JobState.LORA, JobState.INVERT, JobState.DRAG,
                JobState.DENOISE));
        if (evalRuns) {
            steps.add(JobState.EVAL);
        }
        for (JobState s : steps) {
            List<StageRecordEntity> rs = records(id, s);
            assertEquals(1, rs.size(), s + " records: " + rs.size());
            StageRecordEntity r = rs.get(0);
            assertEquals(StageRecordEntity.Status.DONE, r.status, s + ": " + r.error);
            assertNotNull(r.endedAt, s + " ended");
            assertNotNull(r.detailJson, s + " detail");
            String expectWorker = switch (s) {
                case LORA -> "e2e-lora-1/lora-0";
                case EVAL -> "e2e-eval-1/eval-0";
                default -> "e2e-drag-1/drag-0";
            };
            assertEquals(expectWorker, r.workerId);
        }
        assertTrue(records(id, JobState.LORA).get(0).detailJson.contains("\"cacheHit\":false"),
                records(id, JobState.LORA).get(0).detailJson);
        assertEquals(expectedBlobs(id), workerBlobs(id));
        var traj = new com.fasterxml.jackson.databind.ObjectMapper().readTree(blobs.get(ObjectKeys.JOBS_BUCKET,
                ObjectKeys.trajectory(id)));
        assertEquals(1, traj.get("targets").size(), "one drag pair (the axis is no handle): " + traj);
        assertTrue(traj.get("handles").size() >= 1 && traj.get("handles").get(0).size() == 1, traj.toString());
        assertTrue(traj.get("steps").asInt() >= 1 && traj.get("steps").asInt() <= 6, traj.toString());
        assertFalse(traj.get("stopReason").asText().isEmpty());

        // Same image, prompt and options again: the LoRA comes from the cache.
        UUID again = E2eSupport.submit(store, blobs, png, "a red box", E2eSupport.POINTS, E2eSupport.options(6));
        awaitPipelineEnd(again);
        assertTrue(records(again, JobState.LORA).get(0).detailJson.contains("\"cacheHit\":true"),
                records(again, JobState.LORA).get(0).detailJson);
    }

    @Test
    @Order(2)
    void killNineMidDragThenARestartedWorkerFinishesTheJobWithoutDuplicateBlobs() throws Exception {
        baseWorkers();
        UUID id = E2eSupport.submit(store, blobs, E2eSupport.scenePng(2), "a box", E2eSupport.POINTS,
                E2eSupport.options(150));
        Await.until(JOB_TIMEOUT, () -> store.find(id).orElseThrow(),
                j -> j.state == JobState.DRAG && j.progressDone != null && j.progressDone >= 2, "drag under way");
        assertTrue(blobs.exists(ObjectKeys.JOBS_BUCKET, ObjectKeys.inversion(id)), "INVERT finished before the kill");
        drag1.kill9();
        assertFalse(drag1.isAlive());
        WorkerProcess drag2 = start("worker-drag", "e2e-drag-2").awaitReady(READY);
        awaitPipelineEnd(id);
        List<StageRecordEntity> drag = records(id, JobState.DRAG);
        // The killed attempt: drag-1's last DRAG record, closed by the reaper. (Earlier attempts of drag-1 may also
        // show as reaped when a heartbeat starved on an overloaded host; every one that is not DONE says why.)
        StageRecordEntity dead = drag.stream().filter(r -> r.workerId.equals("e2e-drag-1/drag-0"))
                .reduce((x, y) -> y).orElseThrow();
        assertEquals(StageRecordEntity.Status.FAILED, dead.status);
        assertTrue(dead.error.contains("expired"), dead.error);
        // Any other failed attempt (an engine error retried with backoff) says why; none is left RUNNING.
        for (StageRecordEntity r : store.records(id)) {
            if (r.status != StageRecordEntity.Status.DONE) {
                assertEquals(StageRecordEntity.Status.FAILED, r.status, r.step + "#" + r.attempt);
                assertFalse(r.error == null || r.error.isBlank(), r.step + "#" + r.attempt + " has no reason");
                if (!r.error.contains("expired") && !r.error.contains("lease lost")) {
                    System.out.println("[e2e] NOTE: " + r.step + " attempt " + r.attempt + " failed and was retried: "
                            + r.error);
                }
            }
        }
        StageRecordEntity redo = drag.stream().filter(r -> r.status == StageRecordEntity.Status.DONE).findFirst()
                .orElseThrow();
        assertEquals(drag2.workerId() + "/drag-0", redo.workerId);
        StageRecordEntity invert2 = records(id, JobState.INVERT).stream().filter(r -> r.attempt == redo.attempt)
                .findFirst().orElseThrow();
        assertTrue(invert2.detailJson.contains("\"reused\":true"), "inversion of the killed worker reused: "
                + invert2.detailJson);
        assertEquals(expectedBlobs(id), workerBlobs(id), "one object per artefact, none duplicated");
    }

    @Test
    @Order(3)
    void aPoisonJobEndsInTheDeadLetterTopicWithTheJobFailedAndTheReason() throws Exception {
        baseWorkers();
        UUID id = E2eSupport.submit(store, blobs, "this is not a png".getBytes(StandardCharsets.UTF_8), "p",
                E2eSupport.POINTS, E2eSupport.options(4));
        JobEntity j = E2eSupport.awaitState(store, id, JOB_TIMEOUT, JobState.FAILED);
        assertEquals(JobState.FAILED, j.state);
        assertTrue(j.error.contains("not a readable image"), j.error);
        var rec = TopicProbe.await(config.kafka().bootstrap(), Stage.LORA.dlqTopic(),
                r -> id.toString().equals(r.key()), Duration.ofSeconds(30));
        String reason = new String(rec.headers().lastHeader("rd-error").value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("not a readable image"), reason);
        assertTrue(store.tasks(id).stream().noneMatch(t -> "DRAG".equals(t.get("stage"))), "no later stage ran");

        // A record that is no stage message at all, on the drag topic: dead-lettered by a worker process.
        String key = "garbage-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                config.kafka().bootstrap(), "key.serializer", StringSerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()))) {
            p.send(new ProducerRecord<>(Stage.DRAG.topic(), key, "{\"jobId\":42}".getBytes(StandardCharsets.UTF_8)));
        }
        var dead = TopicProbe.await(config.kafka().bootstrap(), Stage.DRAG.dlqTopic(), r -> key.equals(r.key()),
                Duration.ofSeconds(60));
        assertTrue(new String(dead.headers().lastHeader("rd-error").value(), StandardCharsets.UTF_8)
                .contains("malformed stage message"));
    }

    @Test
    @Order(4)
    void twoDragProcessesInOneGroupSharePartitionsAndRunTwoJobsOnDifferentWorkers() throws Exception {
        baseWorkers();
        List<WorkerProcess> drags = PROCESSES.stream().filter(p -> p.workerId().startsWith("e2e-drag") && p.isAlive())
                .toList();
        List<WorkerProcess> group = new ArrayList<>(drags);
        while (group.size() < 2) {
            group.add(start("worker-drag", "e2e-drag-" + (PROCESSES.size() + 1)).awaitReady(READY));
        }
        Set<String> ids = new HashSet<>();
        group.forEach(p -> ids.add(p.workerId() + "/drag-0"));
        // Both consumers are members of rd-worker-drag and each owns a share of the 12 partitions.
        Map<String, Integer> owned = Await.until(Duration.ofSeconds(60), this::dragGroupAssignment,
                m -> m.keySet().equals(ids) && ids.stream().allMatch(i -> m.get(i) > 0),
                "both drag processes assigned partitions");
        assertEquals(12, owned.values().stream().mapToInt(Integer::intValue).sum(), "6 stage + 6 retry partitions");

        // Stage messages are keyed by job id, so two random ids may both hash to one member's partitions and
        // then one process rightly runs both. Choose one id per member: on a drag partition that member owns.
        Map<String, Set<Integer>> byMember = dragTopicPartitions();
        assertTrue(byMember.keySet().containsAll(ids), "both members own drag-topic partitions: " + byMember);
        List<String> members = new ArrayList<>(ids);
        int partitions = dragTopicPartitionCount();
        UUID a = E2eSupport.submit(store, blobs, idOnPartitionOf(byMember.get(members.get(0)), partitions),
                E2eSupport.scenePng(3), "box a", E2eSupport.POINTS, E2eSupport.options(120));
        UUID b = E2eSupport.submit(store, blobs, idOnPartitionOf(byMember.get(members.get(1)), partitions),
                E2eSupport.scenePng(4), "box b", E2eSupport.POINTS, E2eSupport.options(120));
        awaitPipelineEnd(a);
        awaitPipelineEnd(b);
        String wa = records(a, JobState.DRAG).stream().filter(r -> r.status == StageRecordEntity.Status.DONE)
                .findFirst().orElseThrow().workerId;
        String wb = records(b, JobState.DRAG).stream().filter(r -> r.status == StageRecordEntity.Status.DONE)
                .findFirst().orElseThrow().workerId;
        assertTrue(ids.contains(wa) && ids.contains(wb), wa + ", " + wb);
        assertNotEquals(wa, wb, "the two jobs ran on two different drag processes");
        assertEquals(members.get(0), wa, "job a ran on the member that owns its partition");
        assertEquals(members.get(1), wb, "job b ran on the member that owns its partition");
    }

    /** A job id whose drag message (key = id) the producer's default partitioner sends to one of {@code owned}. */
    private static UUID idOnPartitionOf(Set<Integer> owned, int partitions) {
        for (int i = 0; i < 10_000; i++) {
            UUID id = UUID.randomUUID();
            // BuiltInPartitioner.partitionForKey: toPositive(murmur2(key bytes)) % partitions
            int p = Utils.toPositive(Utils.murmur2(id.toString().getBytes(StandardCharsets.UTF_8))) % partitions;
            if (owned.contains(p)) {
                return id;
            }
        }
        throw new IllegalStateException("no job id found for partitions " + owned + " of " + partitions);
    }

    private int dragTopicPartitionCount() throws Exception {
        try (Admin admin = Admin.create(new KafkaSettings(config.kafka().bootstrap()).admin())) {
            return admin.describeTopics(List.of(Stage.DRAG.topic())).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(Stage.DRAG.topic()).partitions().size();
        }
    }

    /** client id (= worker id) -> partitions owned, in the drag consumer group. */
    private Map<String, Integer> dragGroupAssignment() {
        Map<String, Integer> m = new java.util.HashMap<>();
        dragGroupMembers().forEach((client, tps) -> m.put(client, tps.size()));
        return m;
    }

    /** client id (= worker id) -> partitions of the drag topic it owns. */
    private Map<String, Set<Integer>> dragTopicPartitions() {
        Map<String, Set<Integer>> m = new java.util.HashMap<>();
        dragGroupMembers().forEach((client, tps) -> tps.stream().filter(tp -> tp.topic().equals(Stage.DRAG.topic()))
                .forEach(tp -> m.computeIfAbsent(client, k -> new HashSet<>()).add(tp.partition())));
        return m;
    }

    /** client id (= worker id) -> every partition it owns in the drag consumer group (empty when unreadable). */
    private Map<String, Set<TopicPartition>> dragGroupMembers() {
        try (Admin admin = Admin.create(new KafkaSettings(config.kafka().bootstrap()).admin())) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("rd-worker-" + Stage.DRAG.id()))
                    .all().get(10, TimeUnit.SECONDS).get("rd-worker-" + Stage.DRAG.id());
            Map<String, Set<TopicPartition>> m = new java.util.HashMap<>();
            for (MemberDescription md : d.members()) {
                m.computeIfAbsent(md.clientId(), k -> new HashSet<>()).addAll(md.assignment().topicPartitions());
            }
            return m;
        } catch (Exception e) {
            return Map.of();
        }
    }
}
