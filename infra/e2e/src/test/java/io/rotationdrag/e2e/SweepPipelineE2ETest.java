package io.rotationdrag.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.rotationdrag.eval.DatasetUpload;
import io.rotationdrag.eval.DragBenchSample;
import io.rotationdrag.eval.DragBenchWriter;
import io.rotationdrag.eval.HandleTarget;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A sweep of 2 samples x 2 methods through the whole pipeline on the tiny model: the packaged gateway, LoRA, drag
 * and eval workers as processes on the real stack. The dataset goes into rd-datasets as DatasetImport writes it;
 * the sweep is created and followed over HTTP; every job must reach SUCCEEDED with metrics from worker-eval, and
 * the results table, CSV and HTML report must cover all four.
 */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class SweepPipelineE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<WorkerProcess> PROCESSES = new ArrayList<>();
    private static final Duration READY = Duration.ofMinutes(4);

    @Inject
    BlobStore blobs;

    @AfterAll
    static void stop() throws Exception {
        for (WorkerProcess p : PROCESSES) {
            p.close();
        }
    }

    /** Started one after the other: four JVMs starting at once on a loaded 2-core machine time out on the pool. */
    private static WorkerProcess start(String module, String id) throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>(E2eSupport.workerEnv());
        env.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "60s");
        env.put("RD_API_KEYS", E2eSupport.apiKeysEnv()); // read by the gateway only
        WorkerProcess p = WorkerProcess.start(module, id, env);
        PROCESSES.add(p);
        p.awaitReady(READY);
        return p;
    }

    private String importDataset() throws Exception {
        String name = "e2e-sweep-" + UUID.randomUUID().toString().substring(0, 8);
        Path root = Files.createTempDirectory("rd-e2e-ds");
        for (int i = 1; i <= 2; i++) {
            DragBenchSample s = new DragBenchSample("", "sample" + i,
                    ImageIO.read(new ByteArrayInputStream(E2eSupport.scenePng(40 + i))), null,
                    List.of(new HandleTarget(20, 20, 40, 28), new HandleTarget(32, 44, 32, 44)), "a red box", null, null);
            Path dir = DragBenchWriter.writeSampleUnder(root, s);
            Files.writeString(dir.resolve("sample.json"), "{\"angle_deg\":" + (20 * i) + "}");
        }
        DatasetUpload.Plan plan = DatasetUpload.plan(root, name);
        for (DatasetUpload.FileUpload f : plan.files()) {
            blobs.put(ObjectKeys.DATASETS_BUCKET, f.key(), Files.readAllBytes(f.file()), "application/octet-stream");
        }
        blobs.put(ObjectKeys.DATASETS_BUCKET, plan.manifestKey(), plan.manifestJson().getBytes(), "application/json");
        return name;
    }

    @Test
    void sweepOfTwoSamplesAndTwoMethodsRunsThroughEveryWorker() throws Exception {
        String dataset = importDataset();
        WorkerProcess gateway = start("api-gateway", "e2e-sweep-gateway");
        List.of(start("worker-lora", "e2e-sweep-lora"),
                start("worker-drag", "e2e-sweep-drag"), start("worker-eval", "e2e-sweep-eval"));
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + gateway.port();
        String body = "{\"dataset\":\"" + dataset + "\",\"methods\":[\"dragdiffusion\",\"rotationdrag\"],"
                + "\"options\":[" + E2eSupport.options(4) + "]}";
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sweeps"))
                .header("Authorization", E2eSupport.BEARER).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();

        Instant deadline = Instant.now().plus(Duration.ofMinutes(20));
        JsonNode report;
        do {
            Thread.sleep(3000);
            report = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sweeps/" + id))
                            .header("Authorization", E2eSupport.BEARER).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            System.out.println("[e2e] sweep " + id + " progress " + report.get("progress"));
        } while (!report.get("complete").asBoolean() && Instant.now().isBefore(deadline));
        assertTrue(report.get("complete").asBoolean(), "sweep did not finish: " + report.get("progress"));
        assertEquals(4, report.path("progress").path("SUCCEEDED").asInt(), report.toString());
        assertEquals(2, report.get("groups").size());
        for (JsonNode g : report.get("groups")) {
            assertEquals(2, g.path("succeeded").asInt(), g.toString());
            JsonNode md = g.path("metrics").path("md");
            assertEquals(2, md.path("n").asInt(), g.toString());
            assertTrue(md.path("mean").isNumber() && md.path("median").isNumber() && md.path("iqr").isNumber(), md.toString());
            assertEquals(2, g.path("metrics").path("tracking_final_error").path("n").asInt(), "tracking from DragOutcome");
            assertEquals(2, g.path("metrics").path("image_fidelity").path("unavailable").asInt(),
                    "no LPIPS weights in the e2e: IF absent with a reason");
        }
        String csv = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sweeps/" + id + "/results.csv"))
                        .header("Authorization", E2eSupport.BEARER).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertEquals(5, csv.split("\r\n").length, csv);
        String html = http.send(HttpRequest.newBuilder(URI.create(base + "/sweeps/" + id))
                        .header("Authorization", E2eSupport.BEARER).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(html.contains("md per method"));
        assertTrue(html.contains("<title>MD vs rotation angle</title>"));
        assertEquals(6, html.split("src=\"data:image/png;base64,").length - 1, "2 inputs + 4 results");
        Path out = WorkerProcess.repoRoot().resolve("infra/e2e/target/e2e-logs/sweep-report.html");
        Files.writeString(out, html);
        System.out.println("[e2e] sweep report written to " + out);
    }
}
