package io.rotationdrag.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.rotationdrag.jobs.DragProgress;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.jobs.StageMessage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.rotationdrag.gateway.TestAuth.given;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The event stream on the real stack, with the worker's side played through JobStore and the object store:
 * the current state first, progress updates, drag handle positions with a preview link, a reconnect that
 * starts from the latest state, and the end of the stream at the terminal state.
 */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class JobEventsTest extends StackJobTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/api/v1/jobs/")
    URL jobs;

    @Inject
    BlobStore blobs;

    private SseClient open(UUID id) {
        return new SseClient(URI.create(jobs + id.toString() + "/events"));
    }

    @Test
    void streamSendsCurrentStateThenProgressThenEndsAtTheTerminalState() throws Exception {
        Response r = TestInputs.valid(TestInputs.png(64, 64, 31), null).post("/api/v1/jobs");
        assertEquals(201, r.statusCode(), r.asString());
        UUID id = UUID.fromString(r.jsonPath().getString("id"));

        try (SseClient first = open(id)) {
            SseClient.Event e = first.next(WAIT);
            assertEquals("state", e.name());
            JsonNode job = JSON.readTree(e.data());
            assertEquals(id.toString(), job.get("id").asText());
            assertEquals("QUEUED", job.get("state").asText());

            assertEquals(JobStore.ClaimStatus.CLAIMED,
                    store.claim(StageMessage.first(id, Stage.LORA), "test-lora", "worker-x").status());
            assertTrue(store.beginStep(id, Stage.LORA, JobState.LORA, 1, "worker-x"));
            assertEquals("LORA", JSON.readTree(first.until("state", WAIT).data()).get("state").asText());
            store.progress(id, JobState.LORA, 1, 7, 60);
            // beginStep itself reported LORA 0/unknown; wait for the worker's 7/60.
            JsonNode p = JSON.readTree(first.until("progress", d -> d.contains("\"done\":7"), WAIT).data());
            assertEquals("LORA", p.get("step").asText());
            assertEquals(7, p.get("done").asInt());
            assertEquals(60, p.get("total").asInt());
        }

        // LORA done; the drag stage starts, stores handle positions and a preview.
        store.endStep(id, JobState.LORA, 1, null);
        assertTrue(store.completeStage(id, Stage.LORA, "worker-x"));
        assertEquals(JobStore.ClaimStatus.CLAIMED,
                store.claim(StageMessage.first(id, Stage.DRAG), "test-drag", "worker-y").status());
        assertTrue(store.beginStep(id, Stage.DRAG, JobState.INVERT, 1, "worker-y"));
        store.endStep(id, JobState.INVERT, 1, null);
        assertTrue(store.beginStep(id, Stage.DRAG, JobState.DRAG, 1, "worker-y"));
        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragProgress(id),
                new DragProgress(10, 80, List.of(new double[] {18.5, 30.25}), 0.125, 10).toBytes(),
                "application/json");
        store.progress(id, JobState.DRAG, 1, 10, 80);

        // A reconnecting client gets the latest state first (DRAG), not the history.
        try (SseClient again = open(id)) {
            SseClient.Event e = again.next(WAIT);
            assertEquals("state", e.name());
            JsonNode job = JSON.readTree(e.data());
            assertEquals("DRAG", job.get("state").asText());
            assertEquals(List.of("worker-x", "worker-y"),
                    JSON.convertValue(job.get("workers"), List.class));
            JsonNode progress = JSON.readTree(again.until("progress", WAIT).data());
            assertEquals(10, progress.get("done").asInt());
            JsonNode drag = JSON.readTree(again.until("drag", WAIT).data());
            assertEquals(10, drag.get("step").asInt());
            assertEquals(18.5, drag.get("handles").get(0).get(0).asDouble());
            assertEquals(30.25, drag.get("handles").get(0).get(1).asDouble());
            assertEquals(0.125, drag.get("loss").asDouble());
            // signed for the owner, so the page's <img> loads it without a header
            assertTrue(drag.get("preview").asText().startsWith("/api/v1/jobs/" + id + "/previews/10?access=alice."),
                    drag.get("preview").asText());

            // The next drag update arrives on the open stream.
            blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragProgress(id),
                    new DragProgress(11, 80, List.of(new double[] {19, 29.5}), 0.1, 10).toBytes(),
                    "application/json");
            store.progress(id, JobState.DRAG, 1, 11, 80);
            JsonNode p11 = JSON.readTree(again.until("progress", d -> d.contains("\"done\":11"), WAIT).data());
            assertEquals(80, p11.get("total").asInt());
            assertEquals(19.0, JSON.readTree(again.until("drag", WAIT).data()).get("handles").get(0).get(0)
                    .asDouble());

            // Cancel: the worker stops at its next step; the stream sends CANCELLED, then 'end', then closes.
            assertEquals(202, given().delete("/api/v1/jobs/" + id).statusCode());
            store.markCancelledByWorker(id, Stage.DRAG, JobState.DRAG, 1);
            // (The cancel flag itself already produced a 'state' event with cancelRequested, still DRAG.)
            SseClient.Event terminal = again.until("state", d -> d.contains("\"state\":\"CANCELLED\""), WAIT);
            assertEquals("CANCELLED", JSON.readTree(terminal.data()).get("state").asText());
            SseClient.Event end = again.until("end", WAIT);
            assertEquals("CANCELLED", JSON.readTree(end.data()).get("state").asText());
            assertSame(SseClient.CLOSED, again.next(WAIT), "the stream closes after 'end'");
        }

        // A stream opened on a finished job sends its final state and ends at once.
        try (SseClient late = open(id)) {
            assertEquals("CANCELLED", JSON.readTree(late.until("state", WAIT).data()).get("state").asText());
            late.until("end", WAIT);
            assertSame(SseClient.CLOSED, late.next(WAIT));
        }
    }
}
