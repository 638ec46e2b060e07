package io.rotationdrag.gateway.jobs;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.jobs.StageMessage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static io.rotationdrag.gateway.TestAuth.given;
import static org.junit.jupiter.api.Assertions.*;

/** GET, list, cancel, result before and after it exists, and 404 versus 409. */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class JobQueryTest extends StackJobTest {
    @Inject
    BlobStore blobs;

    private UUID submit(long seed) {
        Response r = TestInputs.valid(TestInputs.png(64, 64, seed), null).post("/api/v1/jobs");
        assertEquals(201, r.statusCode(), r.asString());
        return UUID.fromString(r.jsonPath().getString("id"));
    }

    @Test
    void unknownJobsAre404AndUnfinishedResultsAre409WithTheState() {
        String unknown = UUID.randomUUID().toString();
        for (String path : List.of("", "/result", "/trajectory", "/events", "/input/image")) {
            Response r = given().get("/api/v1/jobs/" + unknown + path);
            assertEquals(404, r.statusCode(), path + ": " + r.asString());
            assertTrue(r.jsonPath().getString("message").contains("no job " + unknown), r.asString());
        }
        assertEquals(404, given().get("/api/v1/jobs/not-a-uuid").statusCode());
        assertEquals(404, given().delete("/api/v1/jobs/" + unknown).statusCode());

        UUID id = submit(21);
        Response result = given().get("/api/v1/jobs/" + id + "/result");
        assertEquals(409, result.statusCode(), result.asString());
        assertEquals("QUEUED", result.jsonPath().getString("state"));
        assertTrue(result.jsonPath().getString("message").contains("not written yet"), result.asString());
        Response traj = given().get("/api/v1/jobs/" + id + "/trajectory");
        assertEquals(409, traj.statusCode());
        assertEquals("QUEUED", traj.jsonPath().getString("state"));
    }

    @Test
    void getShowsStateProgressStagesAttemptsAndWorkers() {
        UUID id = submit(22);
        Response q = given().get("/api/v1/jobs/" + id);
        assertEquals(200, q.statusCode());
        assertEquals("QUEUED", q.jsonPath().getString("state"));
        assertEquals(64, q.jsonPath().getInt("image.width"));
        assertEquals(List.of(16.0f, 32.0f), q.jsonPath().getList("points[0]"));
        assertEquals(7, q.jsonPath().getInt("options.seed"));
        assertEquals("PENDING", q.jsonPath().getString("tasks[0].status"));

        // A worker (played through JobStore) claims the LORA stage and reports progress.
        StageMessage m = StageMessage.first(id, Stage.LORA);
        assertEquals(JobStore.ClaimStatus.CLAIMED, store.claim(m, "test-lora", "worker-a").status());
        assertTrue(store.beginStep(id, Stage.LORA, JobState.LORA, 1, "worker-a"));
        store.progress(id, JobState.LORA, 1, 12, 60);

        Response p = given().get("/api/v1/jobs/" + id);
        assertEquals("LORA", p.jsonPath().getString("state"));
        assertEquals("LORA", p.jsonPath().getString("progress.step"));
        assertEquals(12, p.jsonPath().getInt("progress.done"));
        assertEquals(60, p.jsonPath().getInt("progress.total"));
        assertEquals(0.2, p.jsonPath().getDouble("progress.fraction"), 1e-9);
        assertEquals("LORA", p.jsonPath().getString("stages[0].step"));
        assertEquals("worker-a", p.jsonPath().getString("stages[0].workerId"));
        assertEquals("RUNNING", p.jsonPath().getString("stages[0].status"));
        assertEquals(1, p.jsonPath().getInt("attempts.LORA"));
        assertEquals(List.of("worker-a"), p.jsonPath().getList("workers"));
        assertNotNull(p.jsonPath().getString("startedAt"));

        store.endStep(id, JobState.LORA, 1, "{\"reused\":false}");
        assertTrue(store.completeStage(id, Stage.LORA, "worker-a"));
        Response d = given().get("/api/v1/jobs/" + id);
        assertEquals("DONE", d.jsonPath().getString("stages[0].status"));
        assertNotNull(d.jsonPath().get("stages[0].durationMs"));
        assertEquals(false, d.jsonPath().getBoolean("stages[0].detail.reused"));
        assertEquals(List.of("LORA", "DRAG"), d.jsonPath().getList("tasks.stage"));
    }

    @Test
    void resultIsServedOnceWrittenAndListFiltersByState() {
        UUID id = submit(23);
        byte[] png = TestInputs.png(64, 64, 99);
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(id), png, "image/png");
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.trajectory(id),
                "{\"handles\":[[[16,32],[20,30]]]}".getBytes(StandardCharsets.UTF_8), "application/json");
        Response r = given().get("/api/v1/jobs/" + id + "/result");
        assertEquals(200, r.statusCode());
        assertEquals("image/png", r.contentType());
        assertArrayEquals(png, r.asByteArray());
        Response t = given().get("/api/v1/jobs/" + id + "/trajectory");
        assertEquals(200, t.statusCode());
        assertEquals(20, t.jsonPath().getInt("handles[0][1][0]"));

        Response list = given().queryParam("state", "queued").queryParam("size", "200").get("/api/v1/jobs");
        assertEquals(200, list.statusCode(), list.asString());
        assertTrue(list.jsonPath().getList("items.id").contains(id.toString()));
        assertTrue(list.jsonPath().getList("items.state", String.class).stream().allMatch("QUEUED"::equals));
        assertEquals(store.count("alice", JobState.QUEUED), list.jsonPath().getLong("total")); // alice's own
        Response paged = given().queryParam("page", "0").queryParam("size", "1").get("/api/v1/jobs");
        assertEquals(1, paged.jsonPath().getList("items").size());
        assertEquals(store.count("alice", null), paged.jsonPath().getLong("total"));
        Response bad = given().queryParam("state", "sleeping").get("/api/v1/jobs");
        assertEquals(400, bad.statusCode());
        assertEquals("state", bad.jsonPath().getString("field"));
        assertEquals(400, given().queryParam("size", "0").get("/api/v1/jobs").statusCode());
    }

    @Test
    void cancelIsIdempotentAndARunningJobIsFlaggedForItsWorker() {
        UUID queued = submit(24);
        Response c = given().delete("/api/v1/jobs/" + queued);
        assertEquals(200, c.statusCode(), c.asString());
        assertEquals("CANCELLED", c.jsonPath().getString("state"));
        Response again = given().delete("/api/v1/jobs/" + queued);
        assertEquals(200, again.statusCode());
        assertEquals("CANCELLED", again.jsonPath().getString("state"));
        Response result = given().get("/api/v1/jobs/" + queued + "/result");
        assertEquals(409, result.statusCode());
        assertEquals("CANCELLED", result.jsonPath().getString("state"));
        assertEquals(JobStore.ClaimStatus.SKIP,
                store.claim(StageMessage.first(queued, Stage.LORA), "test-lora", "worker-b").status(),
                "a cancelled job is not claimed any more");

        UUID running = submit(25);
        store.claim(StageMessage.first(running, Stage.LORA), "test-lora", "worker-b");
        store.beginStep(running, Stage.LORA, JobState.LORA, 1, "worker-b");
        Response r = given().delete("/api/v1/jobs/" + running);
        assertEquals(202, r.statusCode(), r.asString());
        assertEquals("LORA", r.jsonPath().getString("state"));
        assertTrue(r.jsonPath().getBoolean("cancelRequested"));
        assertTrue(store.isCancelRequested(running), "the worker sees the flag at its next step");
        assertEquals(202, given().delete("/api/v1/jobs/" + running).statusCode());
        store.markCancelledByWorker(running, Stage.LORA, JobState.LORA, 1);
        assertEquals("CANCELLED", given().delete("/api/v1/jobs/" + running).jsonPath().getString("state"));
    }
}
