package io.rotationdrag.worker.drag;

import io.rotationdrag.service.testing.TinyModelWorkerProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.db.StageRecordEntity;
import io.rotationdrag.service.runtime.StageWorker;
import io.rotationdrag.service.runtime.WorkerRuntime;
import io.rotationdrag.service.testing.Await;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The DRAG stage handler in the real worker runtime (real Kafka, PostgreSQL, S3; engine {@link TestDragEngine}):
 * artefacts under deterministic keys, progress per engine step, trajectory JSON, resume after a failed attempt
 * without redoing or duplicating finished steps, a stage longer than several leases keeps lease and partitions,
 * cancel mid-drag, and a missing LoRA failing the job with the reason.
 */
@QuarkusTest
@TestProfile(TinyModelWorkerProfile.class)
@QuarkusTestResource(RdServicesTestResource.class)
class DragStageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POINTS = "[[10,10],[30,20],[40,40],[40,40]]"; // one drag + one rotation axis
    private static final String OPTS = "{\"workingSize\":64}";

    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    @Inject
    WorkerRuntime runtime;

    private final List<UUID> created = new ArrayList<>();

    @BeforeEach
    void reset() {
        TestDragEngine.stepMs = 0;
        TestDragEngine.dragSteps = 5;
    }

    /** Jobs stop at EVAL here (no eval worker): cancel them so no later test's workers pick them up. */
    @AfterEach
    void cancelLeftovers() {
        created.forEach(store::requestCancel);
    }

    private UUID submit(String prompt) throws Exception {
        UUID id = UUID.randomUUID();
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(id.getMostSignificantBits());
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, r.nextInt(0xFFFFFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(id), out.toByteArray(), "image/png");
        store.create(new JobStore.NewJob(id, "rotationdrag", prompt, POINTS, OPTS, null, "h-" + id, 64, 64, false));
        created.add(id);
        return id;
    }

    /** DRAG stage done = the EVAL task exists (written in the same transaction). */
    private void awaitDragDone(UUID id, Duration timeout) {
        Await.until(timeout, () -> store.tasks(id), t -> t.stream().anyMatch(m -> "EVAL".equals(m.get("stage"))),
                "DRAG stage of " + id + " to complete");
    }

    private List<StageRecordEntity> records(UUID id, JobState step) {
        return store.records(id).stream().filter(r -> r.step == step).toList();
    }

    @Test
    void stageStoresEveryArtefactUnderTheJobsKeysAndHandsOnToEval() throws Exception {
        String tag = "full-" + UUID.randomUUID();
        UUID id = submit(tag);
        awaitDragDone(id, Duration.ofSeconds(40));
        assertEquals(JobState.DENOISE, store.find(id).orElseThrow().state, "state stays at the last step until EVAL");
        for (JobState s : List.of(JobState.INVERT, JobState.DRAG, JobState.DENOISE)) {
            List<StageRecordEntity> rs = records(id, s);
            assertEquals(1, rs.size(), s + " records");
            StageRecordEntity r = rs.get(0);
            assertEquals(StageRecordEntity.Status.DONE, r.status);
            assertEquals(r.progressTotal, r.progressDone, s + " progress complete");
            assertFalse(JSON.readTree(r.detailJson).get("reused").asBoolean(), r.detailJson);
            assertTrue(r.workerId.endsWith("/drag-0"), r.workerId);
        }
        assertEquals(5, records(id, JobState.DRAG).get(0).progressTotal);
        // The inversion was computed from the job's LoRA, the drag from that inversion.
        byte[] lora = blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.lora(id));
        String inv = new String(blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.inversion(id)), StandardCharsets.UTF_8);
        assertTrue(inv.endsWith(":" + io.rotationdrag.edit.ImageOps.sha256(lora)), inv);
        byte[] outcome = blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragOutcome(id));
        BufferedImage result = ImageIO.read(new ByteArrayInputStream(blobs.get(ObjectKeys.JOBS_BUCKET,
                ObjectKeys.result(id))));
        assertEquals(64, result.getWidth());
        assertEquals(outcome.length, result.getRGB(0, 0) & 0xFFFFFF, "denoised from the stored drag outcome");
        JsonNode traj = JSON.readTree(blobs.get(ObjectKeys.JOBS_BUCKET, ObjectKeys.trajectory(id)));
        assertEquals(1, traj.get("targets").size(), "the rotation axis is not a drag handle");
        assertEquals(6, traj.get("handles").size(), "initial handles + one entry per step");
        JsonNode last = traj.get("handles").get(5).get(0);
        assertEquals(30, last.get(0).asDouble(), 1e-9);
        assertEquals(20, last.get(1).asDouble(), 1e-9);
        assertEquals("MAX_STEPS", traj.get("stopReason").asText());
        JsonNode dragDetail = JSON.readTree(records(id, JobState.DRAG).get(0).detailJson);
        assertEquals(5, dragDetail.get("steps").asInt());
        assertEquals(5, dragDetail.get("unetBackwards").asInt());
        assertEquals(0.0, dragDetail.get("meanDistanceToTargets").asDouble(), 1e-9);
        assertEquals(Set.of(ObjectKeys.inputImage(id), ObjectKeys.lora(id), ObjectKeys.inversion(id),
                        ObjectKeys.dragOutcome(id), ObjectKeys.trajectory(id), ObjectKeys.result(id),
                        ObjectKeys.dragProgress(id)),
                new HashSet<>(blobs.list(ObjectKeys.JOBS_BUCKET, ObjectKeys.jobPrefix(id))));
        var live = io.rotationdrag.jobs.DragProgress.fromBytes(blobs.get(ObjectKeys.JOBS_BUCKET,
                ObjectKeys.dragProgress(id)));
        assertEquals(5, live.step(), "the last step is always written");
        assertEquals(30, live.handles().get(0)[0], 1e-9);
    }

    @Test
    void retryAfterAFailedDragReusesTheInversionAndWritesNoSecondCopy() throws Exception {
        String tag = "fail-drag-once-" + UUID.randomUUID();
        UUID id = submit(tag);
        awaitDragDone(id, Duration.ofSeconds(40));
        List<StageRecordEntity> drag = records(id, JobState.DRAG);
        assertEquals(2, drag.size());
        assertEquals(StageRecordEntity.Status.FAILED, drag.get(0).status);
        assertTrue(drag.get(0).error.contains("scripted drag failure"), drag.get(0).error);
        assertEquals(StageRecordEntity.Status.DONE, drag.get(1).status);
        StageRecordEntity invert2 = records(id, JobState.INVERT).stream().filter(r -> r.attempt == 2).findFirst()
                .orElseThrow();
        assertTrue(JSON.readTree(invert2.detailJson).get("reused").asBoolean(), invert2.detailJson);
        assertEquals(1, TestDragEngine.calls(tag, "invert"), "inversion computed once");
        assertEquals(2, TestDragEngine.calls(tag, "drag"));
        assertEquals(1, TestDragEngine.calls(tag, "denoise"));
        assertEquals(7, blobs.list(ObjectKeys.JOBS_BUCKET, ObjectKeys.jobPrefix(id)).size(), "no duplicated blobs");
    }

    @Test
    void aStageOfSeveralLeaseLengthsKeepsItsLeaseAndItsPartitions() throws Exception {
        StageWorker w = runtime.workers().stream().filter(x -> x.stage() == Stage.DRAG).findFirst().orElseThrow();
        Await.until(Duration.ofSeconds(20), w::assignment, a -> !a.isEmpty(), "drag partitions assigned");
        var before = w.assignment();
        TestDragEngine.dragSteps = 40;
        TestDragEngine.stepMs = 250; // 10 s of drag = 3+ leases of 3 s: only the heartbeat keeps it
        UUID id = submit("long-" + UUID.randomUUID());
        awaitDragDone(id, Duration.ofSeconds(60));
        List<StageRecordEntity> drag = records(id, JobState.DRAG);
        assertEquals(1, drag.size(), "one attempt: the lease never expired");
        StageRecordEntity r = drag.get(0);
        assertTrue(Duration.between(r.startedAt, r.endedAt).toMillis() >= 9_000, "the drag ran ~10 s");
        assertEquals(StageRecordEntity.Status.DONE, r.status);
        assertEquals(before, w.assignment(), "no rebalance took the partitions away");
        assertTrue(w.isAlive());
    }

    @Test
    void cancelStopsTheDragAtItsNextStep() throws Exception {
        TestDragEngine.dragSteps = 400;
        TestDragEngine.stepMs = 50;
        UUID id = submit("cancel-" + UUID.randomUUID());
        Await.until(Duration.ofSeconds(30), () -> store.find(id).orElseThrow(),
                j -> j.state == JobState.DRAG && j.progressDone != null && j.progressDone > 0, "drag progress");
        assertTrue(store.requestCancel(id).orElseThrow().accepted());
        JobEntity j = Await.until(Duration.ofSeconds(10), () -> store.find(id).orElseThrow(),
                x -> x.state == JobState.CANCELLED, "cancelled");
        assertTrue(j.progressDone < 400);
        assertEquals(StageRecordEntity.Status.CANCELLED, records(id, JobState.DRAG).get(0).status);
        assertFalse(blobs.exists(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragOutcome(id)));
        assertFalse(blobs.exists(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(id)));
    }

    @Test
    void aMissingLoraFailsTheJobWithTheReason() throws Exception {
        UUID id = submit("no-lora-" + UUID.randomUUID());
        JobEntity j = Await.until(Duration.ofSeconds(30), () -> store.find(id).orElseThrow(),
                x -> x.state == JobState.FAILED, "failed");
        assertTrue(j.error.contains("stage DRAG failed after 1 attempt(s)"), j.error);
        assertTrue(j.error.contains(ObjectKeys.lora(id)), j.error);
    }
}
