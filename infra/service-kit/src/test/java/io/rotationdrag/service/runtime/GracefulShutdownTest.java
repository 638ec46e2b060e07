package io.rotationdrag.service.runtime;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
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

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Graceful scale-in on real Kafka, PostgreSQL and S3: a DRAG consumer is stopped the way SIGTERM stops it
 * ({@link WorkerRuntime#stop}: {@link StageWorker#stop}, loop end, {@link StageWorker#drain}) while its stage
 * runs. Past the grace the lease is handed over and another consumer resumes the stage within seconds (before:
 * only after the lease expired, up to rd.stage.lease + rd.worker.reaper-interval); within the grace the stage
 * finishes where it is, with no second attempt.
 */
@QuarkusTest
@TestProfile(ShutdownTestProfile.class)
@QuarkusTestResource(RdServicesTestResource.class)
class GracefulShutdownTest {
    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

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

    private Map<String, Object> dragTask(UUID id) {
        return store.tasks(id).stream().filter(t -> "DRAG".equals(t.get("stage"))).findFirst().orElseThrow();
    }

    /** The DRAG consumer running this job's drag step (after some progress). */
    private StageWorker dragWorkerOf(UUID id) {
        Await.until(Duration.ofSeconds(30), () -> store.find(id).orElseThrow(),
                j -> j.state == JobState.DRAG && j.progressDone != null && j.progressDone > 0, "drag progress");
        String owner = (String) dragTask(id).get("owner");
        return runtime.workers().stream().filter(w -> w.workerId().equals(owner)).findFirst()
                .orElseThrow(() -> new AssertionError("no local worker " + owner));
    }

    private static void stopLoop(StageWorker w) {
        w.stop();
        Await.until(Duration.ofSeconds(15), () -> w.isAlive(), alive -> !alive, "dispatch loop of " + w.workerId()
                + " to end");
    }

    private int maxAttempts(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select max_attempts from stage_tasks where job_id = ?1 and stage = 'DRAG'")
                .setParameter(1, id).getSingleResult()).intValue());
    }

    @Test
    void pastTheGraceTheLeaseIsHandedOverAndAnotherWorkerResumesWithinSeconds() {
        UUID id = submit("{\"dragSteps\":200,\"stepMs\":50}"); // a 10 s drag step
        StageWorker w = dragWorkerOf(id);
        int budget = maxAttempts(id);
        long t0 = System.nanoTime();
        stopLoop(w);
        StageWorker.Drained d = w.drain(Instant.now(), Duration.ofSeconds(5)); // grace already over
        assertEquals(StageWorker.Drained.RELEASED, d);
        Map<String, Object> resumed = Await.until(Duration.ofSeconds(20), () -> dragTask(id),
                t -> "RUNNING".equals(t.get("status")) && t.get("owner") != null
                        && !w.workerId().equals(t.get("owner")), "another worker to claim the DRAG stage");
        double handoverS = (System.nanoTime() - t0) / 1e9;
        System.out.printf("graceful scale-in: stop -> DRAG resumed by %s in %.2f s%n", resumed.get("owner"),
                handoverS);
        assertTrue(handoverS < 5.5, "resumed in " + handoverS + " s: faster than the 6 s lease, so not the reaper");
        assertEquals(2, resumed.get("attempts"));

        JobEntity done = Await.until(Duration.ofSeconds(40), () -> store.find(id).orElseThrow(),
                j -> j.state.isTerminal(), "job to finish");
        assertEquals(JobState.SUCCEEDED, done.state, String.valueOf(done.error));
        // No step lost, none repeated: the released attempt never completed its drag (the body counts at its end),
        // the inversion blob of attempt 1 was reused by attempt 2.
        assertEquals(1, ScriptedHandlers.executions(id, JobState.DRAG));
        assertEquals(1, ScriptedHandlers.executions(id, JobState.INVERT));
        List<StageRecordEntity> drag = store.records(id).stream().filter(r -> r.step == JobState.DRAG).toList();
        assertEquals(2, drag.size(), drag.toString());
        assertEquals(StageRecordEntity.Status.FAILED, drag.get(0).status);
        assertTrue(drag.get(0).error.contains("shut down"), drag.get(0).error);
        assertEquals(w.workerId(), drag.get(0).workerId);
        assertEquals(StageRecordEntity.Status.DONE, drag.get(1).status);
        assertNotEquals(w.workerId(), drag.get(1).workerId);
        assertEquals(budget + 1, maxAttempts(id), "a hand-over does not use up the retry budget");
    }

    @Test
    void withinTheGraceTheStageFinishesOnTheStoppingWorker() {
        UUID id = submit("{\"dragSteps\":30,\"stepMs\":100}"); // a 3 s drag step
        StageWorker w = dragWorkerOf(id);
        stopLoop(w);
        long t0 = System.nanoTime();
        StageWorker.Drained d = w.drain(Instant.now().plusSeconds(20), Duration.ofSeconds(5));
        double waitedS = (System.nanoTime() - t0) / 1e9;
        assertEquals(StageWorker.Drained.FINISHED, d);
        assertTrue(waitedS < 10, "drain returned when the stage ended, not at the grace's end: " + waitedS);
        JobEntity done = Await.until(Duration.ofSeconds(30), () -> store.find(id).orElseThrow(),
                j -> j.state.isTerminal(), "job to finish");
        assertEquals(JobState.SUCCEEDED, done.state, String.valueOf(done.error));
        Map<String, Object> t = dragTask(id);
        assertEquals(1, t.get("attempts"));
        assertEquals("DONE", t.get("status"));
        assertTrue(store.records(id).stream().filter(r -> r.step == JobState.DRAG)
                .allMatch(r -> r.workerId.equals(w.workerId()) && r.status == StageRecordEntity.Status.DONE));
        assertEquals(Stage.DRAG, w.stage());
    }
}
