package io.rotationdrag.gateway.sweep;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.rotationdrag.eval.DragBenchSample;
import io.rotationdrag.eval.DragBenchWriter;
import io.rotationdrag.eval.EvalReport;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.eval.MetricValue;
import io.rotationdrag.eval.PairMatch;
import io.rotationdrag.eval.PixelMask;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.jobs.StageMessage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.sweep.SweepEntity;
import io.rotationdrag.service.sweep.SweepStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static io.rotationdrag.gateway.TestAuth.ADMIN;
import static io.rotationdrag.gateway.TestAuth.as;
import static io.rotationdrag.gateway.TestAuth.given;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Sweeps on the real stack (PostgreSQL, S3, Kafka) without workers: the dataset goes in through the DatasetImport
 * command, the sweep creates its jobs through the gateway's submission path, and the test plays the three stage
 * workers with the real JobStore transitions, writing each job's metrics through {@link JobStore#setMetrics} (the
 * EVAL stage's write). What this does not cover: the engine computing those metrics (worker-eval's own test and
 * the e2e pipeline do).
 */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class SweepApiTest {
    static String dataset;

    @Inject
    JobStore jobs;

    @Inject
    SweepStore sweeps;

    @Inject
    BlobStore blobs;

    @Inject
    NightlySweep nightly;

    /** Cancels whatever a failed assertion left queued, so no worker sharing the stack picks it up later. */
    @AfterEach
    void cancelLeftovers() {
        for (SweepEntity s : sweeps.recent(50)) {
            if (!s.dataset.equals(dataset)) {
                continue;
            }
            for (SweepStore.SweepJobRow r : sweeps.jobs(s.id)) {
                if (!r.state().isTerminal()) {
                    jobs.requestCancel(r.jobId());
                }
            }
        }
    }

    static BufferedImage texture(long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    /** Two synthetic samples (rotation 15 and 40 degrees), one with a mask, one with a ground truth. */
    @BeforeAll
    static void importDataset() throws Exception {
        dataset = "sweep-test-" + UUID.randomUUID().toString().substring(0, 8);
        Path root = Files.createTempDirectory("rd-sweep-ds");
        boolean[] m = new boolean[64 * 64];
        for (int i = 0; i < m.length / 2; i++) {
            m[i] = true;
        }
        DragBenchSample a = new DragBenchSample("scenes", "s1", texture(1), PixelMask.of(64, 64, m),
                List.of(new HandleTarget(20, 20, 40, 20), new HandleTarget(32, 32, 32, 32)), "a red cube", null, null);
        DragBenchSample b = new DragBenchSample("scenes", "s2", texture(2), null,
                List.of(new HandleTarget(10, 40, 30, 40)), "a blue bar", texture(3), null);
        Path da = DragBenchWriter.writeSampleUnder(root, a);
        Path db = DragBenchWriter.writeSampleUnder(root, b);
        Files.writeString(da.resolve("sample.json"), "{\"angle_deg\":15.0}");
        Files.writeString(db.resolve("sample.json"), "{\"angle_deg\":40.0}");
        DatasetImport.main(new String[]{root.toString(), dataset});
    }

    static String body(String methods, String options) {
        return "{\"dataset\":\"" + dataset + "\",\"methods\":" + methods + (options == null ? "" : ",\"options\":" + options)
                + "}";
    }

    /** JSON numbers as doubles (RestAssured's default is float). */
    static io.restassured.path.json.JsonPath jp(Response r) {
        return r.jsonPath(io.restassured.path.json.config.JsonPathConfig.jsonPathConfig()
                .numberReturnType(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));
    }

    static Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/sweeps");
    }

    static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** Stand-in workers: LORA, DRAG (writes a result) and EVAL (writes the metrics) through JobStore. */
    void succeed(UUID id, double md, double psnr) throws Exception {
        String w = "sweep-test-worker";
        for (Stage s : Stage.values()) {
            assertEquals(JobStore.ClaimStatus.CLAIMED, jobs.claim(StageMessage.first(id, s), "sweep-test", w).status());
            for (JobState step : s.steps()) {
                assertTrue(jobs.beginStep(id, s, step, 1, w));
                jobs.endStep(id, step, 1, null);
            }
            if (s == Stage.DRAG) {
                blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(id), png(texture(id.getLeastSignificantBits())),
                        "image/png");
            }
            if (s == Stage.EVAL) {
                jobs.setMetrics(id, EvalReport.of(List.of(MetricValue.of("md", md),
                                MetricValue.of("psnr_outside_mask", psnr),
                                MetricValue.unavailable("image_fidelity", "no LPIPS weights configured")),
                        List.of(new PairMatch(new HandleTarget(0, 0, 1, 0), 0, 0, md)), List.of(), Map.of()).toJson());
            }
            assertTrue(jobs.completeStage(id, s, w));
        }
        assertEquals(JobState.SUCCEEDED, jobs.find(id).orElseThrow().state);
    }

    void fail(UUID id, String reason) {
        String w = "sweep-test-worker";
        jobs.claim(StageMessage.first(id, Stage.LORA), "sweep-test", w);
        jobs.failAttempt(id, Stage.LORA, null, 1, w, reason, false);
        assertEquals(JobState.FAILED, jobs.find(id).orElseThrow().state);
    }

    UUID jobOf(UUID sweep, String sample, String method) {
        return sweeps.jobs(sweep).stream().filter(r -> r.sampleId().equals(sample) && r.method().equals(method))
                .findFirst().orElseThrow().jobId();
    }

    @Test
    void sweepCreatesJobsAggregatesReportsAndFlagsRegressions() throws Exception {
        Response created = post(body("[\"dragdiffusion\",\"rotationdrag\"]", "{\"seed\":[7]}"));
        assertEquals(201, created.statusCode(), created.asString());
        UUID id = UUID.fromString(created.jsonPath().getString("id"));
        assertEquals(4, created.jsonPath().getInt("progress.total"));
        assertEquals(4, created.jsonPath().getInt("progress.QUEUED"));
        assertFalse(created.jsonPath().getBoolean("complete"));

        // one job per sample x method, through the job submission path (idempotency key, canonical points, options)
        List<SweepStore.SweepJobRow> rows = sweeps.jobs(id);
        assertEquals(4, rows.size());
        JobEntity j = jobs.find(jobOf(id, "scenes/s1", "rotationdrag")).orElseThrow();
        assertEquals("sweep:" + id + ":scenes/s1:rotationdrag:0", j.idempotencyKey);
        assertEquals("[[20.0,20.0],[40.0,20.0],[32.0,32.0],[32.0,32.0]]", j.pointsJson); // the gateway's canonical form
        assertEquals("{\"seed\":7}", j.optionsJson);
        assertTrue(j.hasMask);
        assertEquals("a red cube", j.prompt);
        UUID s2 = jobOf(id, "scenes/s2", "dragdiffusion");
        assertTrue(blobs.exists(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputGroundTruth(s2)), "ground truth stored for EVAL");
        assertFalse(blobs.exists(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputGroundTruth(j.id)));
        assertEquals(40.0, rows.stream().filter(r -> r.sampleId().equals("scenes/s2")).findFirst().orElseThrow()
                .rotationDeg());

        // dragdiffusion: md 30 and 10; rotationdrag: md 8 on s1, s2 failed
        succeed(jobOf(id, "scenes/s1", "dragdiffusion"), 30, 25);
        succeed(s2, 10, Double.POSITIVE_INFINITY);
        succeed(jobOf(id, "scenes/s1", "rotationdrag"), 8, 31);
        fail(jobOf(id, "scenes/s2", "rotationdrag"), "input rejected: scripted reason");

        Response r = given().get("/api/v1/sweeps/" + id);
        assertEquals(200, r.statusCode(), r.asString());
        assertTrue(jp(r).getBoolean("complete"));
        assertEquals(3, jp(r).getInt("progress.SUCCEEDED"));
        assertEquals(1, jp(r).getInt("progress.FAILED"));
        assertEquals("dragdiffusion #0", jp(r).getString("groups[0].method") + " #0");
        assertEquals(20.0, jp(r).getDouble("groups[0].metrics.md.mean"), 1e-9);
        assertEquals(20.0, jp(r).getDouble("groups[0].metrics.md.median"), 1e-9);
        assertEquals(Math.sqrt(200), jp(r).getDouble("groups[0].metrics.md.std"), 1e-9);
        assertEquals(10.0, jp(r).getDouble("groups[0].metrics.md.iqr"), 1e-9); // q1 15, q3 25
        assertEquals(1, jp(r).getInt("groups[0].metrics.psnr_outside_mask.infinite"));
        assertEquals(2, jp(r).getInt("groups[0].metrics.image_fidelity.unavailable"));
        assertEquals(8.0, jp(r).getDouble("groups[1].metrics.md.mean"), 1e-9);
        assertEquals(0.5, jp(r).getDouble("groups[1].metrics.failure_rate.mean"), 1e-9);
        assertEquals("input rejected: scripted reason", jp(r).getString("groups[1].failures[0].reason")
                .replace("stage LORA failed after 1 attempt(s): ", ""));
        assertNull(jp(r).get("baselineSweepId"));

        String csv = given().get("/api/v1/sweeps/" + id + "/results.csv").then().statusCode(200).extract().asString();
        assertEquals(5, csv.split("\r\n").length, csv);

        String html = given().get("/sweeps/" + id).then().statusCode(200).contentType(ContentType.HTML).extract().asString();
        assertTrue(html.contains("md per method"), "distribution plot");
        assertTrue(html.contains("<title>MD vs rotation angle</title>"), "scatter plot");
        assertTrue(html.contains("scripted reason"), "failure listed");
        // thumbnails: 2 inputs with arrows + 3 results (the failed job has none)
        assertEquals(5, html.split("src=\"data:image/png;base64,").length - 1);
        assertTrue(html.contains("no earlier sweep"));

        // the next sweep of the dataset (nightly) is compared with this one: rotationdrag's md 8 -> 12 is +50 %
        List<UUID> next = nightly.run(List.of(dataset), List.of("dragdiffusion", "rotationdrag"), "{\"seed\":[7]}");
        assertEquals(1, next.size());
        UUID id2 = next.get(0);
        SweepEntity s = sweeps.find(id2).orElseThrow();
        assertEquals(SweepEntity.Trigger.NIGHTLY, s.trigger);
        assertEquals(id, s.baselineSweepId);
        succeed(jobOf(id2, "scenes/s1", "dragdiffusion"), 30, 25);
        succeed(jobOf(id2, "scenes/s2", "dragdiffusion"), 10, 30);
        succeed(jobOf(id2, "scenes/s1", "rotationdrag"), 12, 31);
        succeed(jobOf(id2, "scenes/s2", "rotationdrag"), 12, 31);
        // a nightly sweep is the system's: alice does not see it, an admin does
        assertEquals(404, given().get("/api/v1/sweeps/" + id2).statusCode());
        Response r2 = as(ADMIN).get("/api/v1/sweeps/" + id2);
        assertEquals(id.toString(), jp(r2).getString("baselineSweepId"));
        List<Map<String, Object>> regs = jp(r2).getList("regressions");
        // md and the pair-pooled md (here the same pairs) both regress; rotationdrag's failure rate 0.5 -> 0 improved
        assertEquals(java.util.Set.of("md", "md_pooled"), java.util.Set.copyOf(regs.stream().map(x -> x.get("metric"))
                .toList()), regs.toString());
        for (Map<String, Object> g : regs) {
            assertEquals("rotationdrag", g.get("method"));
            assertEquals(0.5, ((Number) g.get("relativeChange")).doubleValue(), 1e-9);
        }
        String html2 = as(ADMIN).get("/sweeps/" + id2).then().statusCode(200).extract().asString();
        assertTrue(html2.contains("<table id=\"regressions\">"), "regression table in the report");
    }

    @Test
    void badSweepRequestsGetReasons() {
        Response unknownMethod = post(body("[\"dragnoise\"]", null));
        assertEquals(400, unknownMethod.statusCode());
        assertTrue(unknownMethod.asString().contains("dragnoise"), unknownMethod.asString());
        Response badOption = post(body("[\"rotationdrag\"]", "{\"drag.noSuchOption\":[1]}"));
        assertEquals(400, badOption.statusCode());
        assertTrue(badOption.asString().contains("noSuchOption"), badOption.asString());
        Response notList = post(body("[\"rotationdrag\"]", "{\"seed\":3}"));
        assertEquals(400, notList.statusCode());
        Response noDataset = given().contentType(ContentType.JSON)
                .body("{\"dataset\":\"no-such-dataset\",\"methods\":[\"rotationdrag\"]}").post("/api/v1/sweeps");
        assertEquals(404, noDataset.statusCode());
        assertTrue(noDataset.asString().contains("no-such-dataset"));
        assertEquals(404, given().get("/api/v1/sweeps/" + UUID.randomUUID()).statusCode());
        assertEquals(404, given().get("/sweeps/not-a-uuid").statusCode());
    }
}
