package io.rotationdrag.gateway.web;

import io.rotationdrag.service.testing.web.EditorPage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
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

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the page shows while a job runs and when it is done, against the real gateway and its SSE stream. The
 * stages are played by a scripted stand-in in this test (service-kit's JobStore lease/step/progress calls and
 * the blobs a worker writes, on the real PostgreSQL and S3), because this module has no workers; the real
 * pipeline drives the same page in infra/e2e's EditorBrowserE2ETest. Checked: the progress bar advances through
 * intermediate values to 100, every state is shown, the current handles are drawn during the drag, a preview
 * loads, and the result appears beside the input with its trajectory, metrics, download and slider.
 */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class EditorProgressTest extends BrowserTest {
    static final String WORKER = "web-test-stand-in";
    static final int STEPS = 6;
    static final double[] HANDLE = {106, 134}, TARGET = {85, 151};

    @TestHTTPResource("/")
    URL root;

    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    @Test
    void progressLiveHandlesPreviewThenResultTrajectoryAndMetrics() throws Exception {
        try (BrowserContext ctx = chromium.browser().newContext(new Browser.NewContextOptions()
                // the test's own scripts (waitForFunction) are evaluated strings, which the page's CSP forbids
                .setBypassCSP(true)                .setViewportSize(1280, 1000))) {
            Page page = ctx.newPage();
            page.setDefaultTimeout(30_000);
            EditorPage ed = new EditorPage(page).open(root.toString(), io.rotationdrag.gateway.TestAuth.ALICE);
            page.evaluate(EditorPage.PROGRESS_RECORDER);
            byte[] input = EditorPageTest.demoImage();
            ed.uploadImage("clock.png", input, 256, 256);
            ed.tool("points");
            ed.clickPixel((int) HANDLE[0], (int) HANDLE[1]);
            ed.clickPixel((int) TARGET[0], (int) TARGET[1]);
            Response created = page.waitForResponse(r -> r.url().endsWith("/api/v1/jobs")
                    && "POST".equals(r.request().method()), ed::submit);
            assertEquals(201, created.status(), created.text());
            UUID id = UUID.fromString(new ObjectMapper().readTree(created.body()).get("id").asText());
            page.waitForFunction("() => document.getElementById('job-state').textContent === 'QUEUED'");

            CompletableFuture<Void> stages = CompletableFuture.runAsync(() -> runStages(id, input));
            page.waitForFunction("() => document.getElementById('job-state').textContent === 'SUCCEEDED'", null,
                    new Page.WaitForFunctionOptions().setTimeout(60_000).setPollingInterval(100));
            stages.join();

            @SuppressWarnings("unchecked")
            Map<String, Object> seen = (Map<String, Object>) page.evaluate("() => window.__seen");
            @SuppressWarnings("unchecked")
            List<Number> progress = (List<Number>) seen.get("progress");
            List<Integer> inside = progress.stream().map(Number::intValue).filter(v -> v > 0 && v < 100).toList();
            assertTrue(inside.size() >= 5, "intermediate progress values: " + progress);
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i).intValue() >= progress.get(i - 1).intValue(), "bar never goes back: "
                        + progress);
            }
            assertEquals(100, progress.get(progress.size() - 1).intValue());
            assertEquals(List.of("QUEUED", "LORA", "INVERT", "DRAG", "DENOISE", "EVAL", "SUCCEEDED"),
                    seen.get("states"));
            assertTrue(((Number) page.evaluate("() => rdEditor.liveUpdates()")).intValue() > 0,
                    "current handles drawn during the drag");
            assertTrue(((Number) seen.get("previews")).intValue() > 0, "a preview loaded");
            assertTrue(ed.text("#preview-cap").startsWith("preview at drag step "), ed.text("#preview-cap"));

            // result beside the input, trajectory over it, metrics, download, slider
            page.waitForFunction("() => { const i = document.getElementById('result-img');"
                    + " return !document.getElementById('result-box').hidden && i.complete && i.naturalWidth === 256; }");
            page.waitForFunction("() => document.getElementById('result-input').naturalWidth === 256");
            // the tracked path passes the midpoint of handle and target: the overlay is drawn there
            int mx = (int) Math.round((HANDLE[0] + TARGET[0]) / 2), my = (int) Math.round((HANDLE[1] + TARGET[1]) / 2);
            page.waitForFunction("([x, y]) => { const c = document.getElementById('traj-canvas');"
                    + " return c.width === 256 && c.getContext('2d').getImageData(x, y, 1, 1).data[3] > 0; }",
                    List.of(mx, my));
            assertTrue((Boolean) page.evaluate("() => document.getElementById('traj-canvas').getContext('2d')"
                    + ".getImageData(200, 40, 1, 1).data[3] === 0"), "nothing drawn far from the path");
            page.uncheck("#traj-toggle");
            assertTrue((Boolean) page.evaluate("([x, y]) => document.getElementById('traj-canvas').getContext('2d')"
                    + ".getImageData(x, y, 1, 1).data[3] === 0", List.of(mx, my)), "trajectory toggled off");
            page.check("#traj-toggle");
            String metrics = ed.text("#metrics tbody");
            assertTrue(metrics.contains("meanDistance") && metrics.contains("2.500"), metrics);
            String href = (String) page.evaluate("() => document.getElementById('download-link').href");
            assertTrue(href.contains("/api/v1/jobs/" + id + "/result?access="), href); // signed: no header on a download
            page.fill("#compare-slider", "30");
            assertEquals("inset(0px 0px 0px 30%)",
                    page.evaluate("() => getComputedStyle(document.getElementById('compare-after')).clipPath"));
            page.fill("#compare-slider", "50");
            page.waitForSelector("#history-body tr[data-id='" + id + "'] td.state.SUCCEEDED");
            assertFalse((Boolean) page.evaluate("() => document.getElementById('submit-btn').disabled"));
            assertEquals(JobState.SUCCEEDED, store.find(id).orElseThrow().state);
            ed.screenshot(EditorPageTest.SHOTS.resolve("editor-gateway-result.png"));

            // the same job opened from the history shows the stored input beside the result
            page.reload();
            page.waitForSelector("body[data-ready=true]");
            page.click("#history-body tr[data-id='" + id + "']");
            page.waitForFunction("() => { const i = document.getElementById('result-input');"
                    + " return !document.getElementById('result-box').hidden && i.complete && i.naturalWidth === 256; }");
            String inputSrc = (String) page.evaluate("() => document.getElementById('result-input').src");
            assertTrue(inputSrc.contains("/api/v1/jobs/" + id + "/input/image?access="), inputSrc);
            assertEquals(List.of(), ed.errors, "page errors");
        }
    }

    /** The stages as a worker runs them: lease, steps with progress, drag progress + previews, outputs. */
    private void runStages(UUID id, byte[] input) {
        try {
            BufferedImage in = ImageIO.read(new ByteArrayInputStream(input));
            List<double[]> path = new ArrayList<>();
            for (Stage stage : Stage.values()) {
                StageMessage m = StageMessage.first(id, stage);
                JobStore.Claim c = store.claim(m, "web-test-" + stage.id(), WORKER);
                assertEquals(JobStore.ClaimStatus.CLAIMED, c.status(), stage + ": " + c.reason());
                for (JobState step : stage.steps()) {
                    assertTrue(store.beginStep(id, stage, step, c.attempt(), WORKER));
                    for (int i = 1; i <= STEPS; i++) {
                        Thread.sleep(250);
                        if (step == JobState.DRAG) {
                            double f = (double) i / STEPS;
                            double[] h = {HANDLE[0] + f * (TARGET[0] - HANDLE[0]), HANDLE[1] + f * (TARGET[1] - HANDLE[1])};
                            path.add(h);
                            Integer previewStep = null;
                            if (i % 2 == 0) {
                                blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.preview(id, i), png(marked(in, i)), "image/png");
                                previewStep = i;
                            }
                            blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragProgress(id),
                                    new DragProgress(i, STEPS, List.of(h), 0.5 / i, previewStep).toBytes(),
                                    "application/json");
                        }
                        store.progress(id, step, c.attempt(), i, STEPS);
                    }
                    if (step == JobState.DRAG) {
                        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.trajectory(id), trajectory(path), "application/json");
                    }
                    if (step == JobState.DENOISE) {
                        blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.result(id), png(marked(in, 99)), "image/png");
                    }
                    if (step == JobState.EVAL) {
                        store.setMetrics(id, "{\"meanDistance\":2.5,\"steps\":" + STEPS + "}");
                    }
                    store.endStep(id, step, c.attempt(), null);
                }
                assertTrue(store.completeStage(id, stage, WORKER));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The drag worker's trajectory.json: targets, then the handles at every iteration (index 0 = initial). */
    private static byte[] trajectory(List<double[]> path) {
        StringBuilder sb = new StringBuilder("{\"targets\":[[" + TARGET[0] + "," + TARGET[1] + "]],\"handles\":[[["
                + HANDLE[0] + "," + HANDLE[1] + "]]");
        for (double[] h : path) {
            sb.append(",[[").append(h[0]).append(',').append(h[1]).append("]]");
        }
        return sb.append("],\"steps\":").append(path.size()).append('}').toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The input with a visible mark, so result and preview differ from it on the screenshot. */
    private static BufferedImage marked(BufferedImage in, int step) {
        BufferedImage out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(in, 0, 0, null);
        g.setColor(new Color(40, 160, 90));
        g.fillRect(150, 200, 10 + step, 16);
        g.dispose();
        return out;
    }

    private static byte[] png(BufferedImage img) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
