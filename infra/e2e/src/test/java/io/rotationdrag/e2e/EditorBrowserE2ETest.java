package io.rotationdrag.e2e;

import io.rotationdrag.service.testing.web.Chromium;
import io.rotationdrag.service.testing.web.EditorPage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The web editor end to end: the packaged gateway and the three workers as processes on the real stack with the
 * tiny model, Debian's Chromium on the page the gateway serves. The test uploads an image, paints a mask, clicks
 * a handle/target pair and an axis, submits, watches the progress bar advance and the handles move, and checks
 * the result, its trajectories and metrics on the page. Screenshots go to {@code infra/e2e/target/screenshots}.
 */
class EditorBrowserE2ETest {
    private static final Duration READY = Duration.ofMinutes(6); // JVM starts took 70-270 s on the loaded machine
    /** Generous: on a loaded 2-core machine the tiny-model job took about 4 minutes (LoRA 45 s, drag stage 175 s). */
    private static final Duration JOB = Duration.ofMinutes(10);
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<WorkerProcess> PROCESSES = new ArrayList<>();
    /** Few steps, so the job takes seconds on the tiny model; no workingSize (the model's native size), as the
     *  editor sends by default. */
    private static final String MORE_OPTIONS = "{\"lora\":{\"rank\":4,\"batchSize\":1},"
            + "\"inversion\":{\"numInferenceSteps\":8},\"drag\":{\"stopDistance\":0.0}}";

    private static WorkerProcess gateway;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        for (String k : List.of("RD_KAFKA_BOOTSTRAP", "RD_DB_URL", "RD_S3_ENDPOINT")) {
            assertNotNull(System.getenv(k), k + " is not set: run `bash infra/local/run-tests` (or `bash "
                    + "infra/local/stack up && source .rd-state/env.sh`) so the apps find the real services");
        }
        chromium = Chromium.launch(); // first: a missing browser fails before minutes of app start-up
        Map<String, String> env = new HashMap<>(E2eSupport.workerEnv());
        // four JVMs start at once on a loaded machine: the first database connection may take longer than 5 s
        env.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "60S");
        PROCESSES.add(WorkerProcess.start("worker-lora", "web-e2e-lora", env));
        PROCESSES.add(WorkerProcess.start("worker-drag", "web-e2e-drag", env));
        PROCESSES.add(WorkerProcess.start("worker-eval", "web-e2e-eval", env));
        Map<String, String> gw = new HashMap<>();
        gw.put("RD_API_KEYS", E2eSupport.apiKeysEnv());
        gw.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "60S");
        String port = Integer.toString(WorkerProcess.freePort());
        gw.put("RD_HTTP_PORT", port);
        gw.put("RD_GATEWAY_PORT", port);
        gateway = WorkerProcess.start("api-gateway", "web-e2e-gateway", gw);
        PROCESSES.add(gateway);
        for (WorkerProcess p : PROCESSES) {
            p.awaitReady(READY);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        for (WorkerProcess p : PROCESSES) {
            p.close();
        }
    }

    @Test
    void anEditInTheBrowserRunsThroughThePipelineAndShowsTheResult() throws Exception {
        try (BrowserContext ctx = chromium.browser().newContext(new Browser.NewContextOptions()
                // the test's own scripts (waitForFunction) are evaluated strings, which the page's CSP forbids
                .setBypassCSP(true)                .setViewportSize(1280, 1000))) {
            Page page = ctx.newPage();
            page.setDefaultTimeout(30_000);
            EditorPage ed = new EditorPage(page).open("http://127.0.0.1:" + gateway.port() + "/", E2eSupport.API_KEY);
            page.evaluate(EditorPage.PROGRESS_RECORDER);

            byte[] png = Files.readAllBytes(WorkerProcess.repoRoot()
                    .resolve("api-gateway/src/main/resources/META-INF/resources/demo/demo-1.png"));
            ed.uploadImage("clock.png", png, 256, 256);
            ed.tool("mask");
            ed.brush(40);
            ed.stroke(72, 115, 112, 140); // over the clock hand and where it turns to
            ed.stroke(72, 115, 85, 151);
            assertTrue(ed.maskCoverage() > 0.02, "mask painted: " + ed.maskCoverage());
            ed.tool("points");
            ed.clickPixel(106, 134);
            ed.clickPixel(85, 151);
            ed.clickPixel(72, 115);
            ed.clickPixel(72, 115);
            ed.fill("#prompt", "a black clock hand on a pink background");
            ed.fill("#opt-drag-steps", "6");
            ed.fill("#opt-lora-steps", "4");
            ed.fill("#opt-preview", "2");
            page.click("details[data-field=options] summary");
            ed.fill("#opt-json", MORE_OPTIONS);

            Response created = page.waitForResponse(r -> r.url().endsWith("/api/v1/jobs")
                    && "POST".equals(r.request().method()), ed::submit);
            assertEquals(201, created.status(), created.text());
            String id = JSON.readTree(created.body()).get("id").asText();

            try {
                page.waitForFunction("() => ['SUCCEEDED', 'FAILED', 'CANCELLED']"
                        + ".includes(document.getElementById('job-state').textContent)", null,
                        new Page.WaitForFunctionOptions().setTimeout(JOB.toMillis()).setPollingInterval(250));
            } catch (com.microsoft.playwright.TimeoutError e) {
                ed.screenshot(SHOTS.resolve("editor-e2e-timeout.png"));
                fail("job " + id + " not finished within " + JOB + "; the page shows " + ed.text("#job-state") + " "
                        + ed.text("#progress-text"));
            }
            String state = ed.text("#job-state");
            ed.screenshot(SHOTS.resolve("editor-e2e-final.png"));
            @SuppressWarnings("unchecked")
            Map<String, Object> seen = (Map<String, Object>) page.evaluate("() => window.__seen");
            System.out.println("[web-e2e] job " + id + " " + state + "; page saw " + seen + ", live handle updates "
                    + page.evaluate("() => rdEditor.liveUpdates()"));
            assertEquals("SUCCEEDED", state, "job " + id + " ended " + state + ": " + ed.text("#job-error")
                    + "\n--- gateway log tail:\n" + gateway.tail());

            // the bar advanced through intermediate values to 100, the page went through LORA and DRAG, and the
            // handles were drawn while the drag ran
            @SuppressWarnings("unchecked")
            List<Number> progress = (List<Number>) seen.get("progress");
            List<Integer> inside = progress.stream().map(Number::intValue).filter(v -> v > 0 && v < 100).toList();
            assertTrue(inside.size() >= 3, "intermediate progress values seen: " + progress);
            assertEquals(100, progress.get(progress.size() - 1).intValue(), "final progress: " + progress);
            @SuppressWarnings("unchecked")
            List<String> states = (List<String>) seen.get("states");
            assertTrue(states.contains("LORA") && states.contains("DRAG"), "states seen: " + states);

            // the result beside the input, at the input's size, with trajectories, metrics and a download
            page.waitForFunction("() => { const i = document.getElementById('result-img');"
                    + " return !document.getElementById('result-box').hidden && i.complete && i.naturalWidth > 0; }");
            assertEquals(256, ((Number) page.evaluate("() => document.getElementById('result-img').naturalWidth"))
                    .intValue());
            page.waitForFunction("() => { const c = document.getElementById('traj-canvas');"
                    + " if (!c.width) return false; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                    + " for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; }");
            String firstMetric = page.textContent("#metrics tbody tr td").trim();
            assertNotEquals("(none)", firstMetric, "metrics shown");
            String href = (String) page.evaluate("() => document.getElementById('download-link').href");
            assertTrue(href.contains("/api/v1/jobs/" + id + "/result?access="), href); // signed: no header needed
            APIResponse dl = ctx.request().get(href);
            assertEquals(200, dl.status());
            assertEquals("image/png", dl.headers().get("content-type"));
            page.fill("#compare-slider", "20");
            assertEquals("inset(0px 0px 0px 20%)",
                    page.evaluate("() => getComputedStyle(document.getElementById('compare-after')).clipPath"));
            page.waitForSelector("#history-body tr[data-id='" + id + "']");
            ed.screenshot(SHOTS.resolve("editor-e2e-result.png"));
            assertEquals(List.of(), ed.errors, "page errors");
            // last, so everything above is checked even while it fails: the 'drag' SSE events come from the
            // drag progress blob (ObjectKeys.dragProgress) that worker-drag writes every few steps
            assertTrue(((Number) page.evaluate("() => rdEditor.liveUpdates()")).intValue() > 0,
                    "no current handle positions reached the page during the drag (no 'drag' SSE event: does "
                    + "worker-drag write ObjectKeys.dragProgress?)");
        }
    }
}
