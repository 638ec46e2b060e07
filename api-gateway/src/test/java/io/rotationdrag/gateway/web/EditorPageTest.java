package io.rotationdrag.gateway.web;

import io.rotationdrag.service.testing.web.Chromium;
import io.rotationdrag.service.testing.web.EditorPage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rotationdrag.gateway.TestAuth.given;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The web editor in Debian's Chromium against the real gateway (real PostgreSQL, Kafka and S3; no workers, so a
 * submitted job stays QUEUED until the test cancels it): the page loads, a mask is painted, erased and restored
 * with undo, handle/target and axis points are clicked, the submission creates the job the page described (the
 * stored mask has exactly the painted pixels), and rejected inputs show the API's reason next to the control.
 */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class EditorPageTest extends BrowserTest {
    static final Path SHOTS = Path.of("target", "screenshots");
    static final int W = 256, H = 256;
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    @Inject
    JobStore store;

    static byte[] demoImage() throws Exception {
        try (InputStream in = EditorPageTest.class.getResourceAsStream("/META-INF/resources/demo/demo-1.png")) {
            assertNotNull(in, "the bundled demo image is missing");
            return in.readAllBytes();
        }
    }

    private EditorPage open(BrowserContext ctx) {
        Page p = ctx.newPage();
        p.setDefaultTimeout(20_000);
        return new EditorPage(p).open(root.toString(), io.rotationdrag.gateway.TestAuth.ALICE);
    }

    /** Under the gateway's Content-Security-Policy (no bypass) the editor loads and lists jobs without errors. */
    @Test
    void editorRunsUnderItsContentSecurityPolicy() {
        try (BrowserContext ctx = chromium.browser().newContext()) {
            Page p = ctx.newPage();
            p.setDefaultTimeout(20_000);
            EditorPage ed = new EditorPage(p).open(root.toString(), io.rotationdrag.gateway.TestAuth.ALICE);
            p.waitForSelector("#history-body tr[data-id]"); // a job of alice: the key went with the list call
            assertEquals(List.of(), ed.errors, "console errors or CSP violations");
        }
    }

    @Test
    void paintMaskClickPointsSubmitAndCancel() throws Exception {
        try (BrowserContext ctx = chromium.browser().newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                // the test's own scripts (waitForFunction) are evaluated strings, which the page's CSP forbids
                .setBypassCSP(true)                .setViewportSize(1280, 1000))) {
            EditorPage ed = open(ctx);
            assertEquals("RotationDrag editor", ed.page().title());
            ed.page().waitForFunction("() => !document.querySelector('#history-body').textContent.includes('loading')");
            assertTrue((Boolean) ed.page().evaluate("() => document.getElementById('history-error').hidden"),
                    "history: " + ed.text("#history-error"));

            ed.uploadImage("clock.png", demoImage(), W, H);

            // mask: a 100 px horizontal stroke of a 12 px round brush covers 100*12 + pi*6^2 pixels, plus at most
            // a one-pixel anti-aliased rim (counted as editable) around it
            ed.tool("mask");
            ed.brush(12);
            ed.stroke(40, 200, 140, 200);
            double area = 100 * 12 + Math.PI * 36;
            double rim = 2 * 100 + Math.PI * 12;
            double painted = ed.maskCoverage() * W * H;
            assertTrue(painted >= 0.95 * area && painted <= area + rim + 8,
                    "painted " + painted + " px for a stroke of area " + area);
            assertTrue(maskAt(ed, 90, 200) && maskAt(ed, 40, 200) && maskAt(ed, 140, 200));
            assertFalse(maskAt(ed, 90, 190) || maskAt(ed, 30, 200) || maskAt(ed, 150, 200));

            // erase through the middle, then undo restores exactly the painted mask
            ed.tool("erase");
            ed.brush(20);
            ed.stroke(90, 190, 90, 210);
            assertFalse(maskAt(ed, 90, 200));
            assertTrue(ed.maskCoverage() * W * H < painted - 200);
            ed.page().click("#undo-btn");
            assertEquals(painted, ed.maskCoverage() * W * H, 0.0);
            assertTrue(maskAt(ed, 90, 200));

            // points: a handle -> target pair, then an axis (the same spot twice); a stray click is undone
            ed.tool("points");
            ed.clickPixel(106, 134);
            ed.clickPixel(85, 151);
            ed.clickPixel(72, 115);
            ed.clickPixel(72, 115);
            ed.clickPixel(10, 10);
            ed.page().click("#undo-btn");
            assertEquals(List.of(List.of(106, 134), List.of(85, 151), List.of(72, 115), List.of(72, 115)),
                    ints(ed.points()));
            assertTrue(ed.text("#points-summary").startsWith("1 drag pair, 1 axis"), ed.text("#points-summary"));
            assertEquals(painted, ed.maskCoverage() * W * H, 0.0, "undoing a point must leave the mask alone");

            ed.fill("#prompt", "a black clock hand on a pink background");
            ed.page().selectOption("#method", "rotationdrag");
            ed.fill("#opt-drag-steps", "5");
            ed.fill("#opt-lora-steps", "2");
            ed.fill("#opt-inversion", "0.5");
            Response res = ed.page().waitForResponse(r -> r.url().endsWith("/api/v1/jobs")
                    && "POST".equals(r.request().method()), ed::submit);
            assertEquals(201, res.status(), res.text());
            String idText = JSON.readTree(res.body()).get("id").asText();
            ed.page().waitForFunction("id => document.getElementById('job-id').textContent === id", idText);
            UUID id = UUID.fromString(idText);
            assertNotNull(res.request().headerValue("idempotency-key"), "the page sends an Idempotency-Key");
            assertEquals("Bearer " + io.rotationdrag.gateway.TestAuth.ALICE, res.request().headerValue("authorization"),
                    "the page sends the API key from its key field");

            // the job the page described
            JobEntity j = store.find(id).orElseThrow();
            assertEquals(JobState.QUEUED, j.state);
            assertEquals("rotationdrag", j.method);
            assertEquals("a black clock hand on a pink background", j.prompt);
            assertEquals(W, j.imageWidth);
            assertTrue(j.hasMask);
            assertEquals(JSON.readTree("[[106,134],[85,151],[72,115],[72,115]]").toString(),
                    intsJson(JSON.readTree(j.pointsJson)));
            JsonNode opts = JSON.readTree(j.optionsJson);
            assertEquals(5, opts.at("/drag/maxSteps").asInt(), j.optionsJson);
            assertEquals(2, opts.at("/lora/steps").asInt(), j.optionsJson);
            assertEquals(0.5, opts.at("/inversion/strength").asDouble(), 0.0, j.optionsJson);

            // the stored mask is exactly the painted pixels: white = editable
            byte[] maskPng = given().get("/api/v1/jobs/" + id + "/input/mask").then().statusCode(200)
                    .extract().asByteArray();
            BufferedImage mask = ImageIO.read(new ByteArrayInputStream(maskPng));
            assertEquals(W, mask.getWidth());
            int white = 0;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int v = mask.getRGB(x, y) & 0xff;
                    assertTrue(v == 0 || v == 255, "mask is binary");
                    white += v == 255 ? 1 : 0;
                }
            }
            assertEquals(Math.round(painted), white);
            assertEquals(255, mask.getRGB(90, 200) & 0xff);
            assertEquals(0, mask.getRGB(200, 50) & 0xff);

            // progress box, history row, cancel
            ed.page().waitForFunction("() => document.getElementById('job-state').textContent === 'QUEUED'");
            assertEquals("0", ed.page().getAttribute("#progress-bar", "aria-valuenow"));
            ed.page().waitForSelector("#history-body tr[data-id='" + id + "']");
            assertTrue((Boolean) ed.page().evaluate("() => document.getElementById('submit-btn').disabled"),
                    "no second submit while the job runs");
            ed.page().click("#cancel-btn");
            ed.page().waitForFunction("() => document.getElementById('job-state').textContent === 'CANCELLED'");
            assertEquals(JobState.CANCELLED, store.find(id).orElseThrow().state);
            assertEquals("The job was cancelled.", ed.text("#result-empty"));
            assertFalse((Boolean) ed.page().evaluate("() => document.getElementById('submit-btn').disabled"));
            ed.screenshot(SHOTS.resolve("editor-gateway-submitted.png"));
            assertEquals(List.of(), ed.errors, "page errors");
        }
    }

    @Test
    void rejectedInputsShowTheReasonNextToTheControl() throws Exception {
        try (BrowserContext ctx = chromium.browser().newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                // the test's own scripts (waitForFunction) are evaluated strings, which the page's CSP forbids
                .setBypassCSP(true)                .setViewportSize(1280, 1000))) {
            EditorPage ed = open(ctx);
            AtomicInteger posts = new AtomicInteger();
            ed.page().onRequest(r -> {
                if (r.url().endsWith("/api/v1/jobs") && "POST".equals(r.method())) {
                    posts.incrementAndGet();
                }
            });

            // no image: caught on the page, next to the image control, nothing sent
            ed.submit();
            assertTrue(ed.fieldError("image").contains("choose an image"), ed.fieldError("image"));
            assertTrue(ed.fieldMarked("image"));

            ed.uploadImage("clock.png", demoImage(), W, H);
            assertEquals("", ed.text("[data-error-for='image']"), "loading an image clears its error");
            ed.tool("points");

            // no points: the API's reason next to the points list
            Response r1 = ed.page().waitForResponse(r -> r.url().endsWith("/api/v1/jobs"), ed::submit);
            assertEquals(400, r1.status());
            JsonNode e1 = JSON.readTree(r1.body());
            assertEquals("points", e1.get("field").asText());
            assertEquals(e1.get("message").asText(), ed.fieldError("points"));
            assertTrue(ed.fieldMarked("points"));
            assertTrue(ed.text("#form-error").contains("HTTP 400"), ed.text("#form-error"));

            // an unknown option: the API's reason next to the options
            ed.clickPixel(100, 100);
            ed.clickPixel(120, 100);
            ed.page().click("details[data-field=options] summary");
            ed.fill("#opt-json", "{\"bogus\": 1}");
            Response r2 = ed.page().waitForResponse(r -> r.url().endsWith("/api/v1/jobs"), ed::submit);
            assertEquals(400, r2.status());
            JsonNode e2 = JSON.readTree(r2.body());
            assertEquals("options", e2.get("field").asText());
            assertTrue(e2.get("message").asText().contains("bogus"), e2.toString());
            assertEquals(e2.get("message").asText(), ed.fieldError("options"));
            assertEquals("", ed.text("[data-error-for='points']"), "the old points error is gone");

            // a point outside the image's drag rules: a pair of one click on the same spot as an axis only
            ed.fill("#opt-json", "");
            ed.page().click("#clear-points-btn");
            ed.clickPixel(50, 50);
            ed.clickPixel(50, 50);
            Response r3 = ed.page().waitForResponse(r -> r.url().endsWith("/api/v1/jobs"), ed::submit);
            assertEquals(400, r3.status(), "an axis alone is no drag");
            JsonNode e3 = JSON.readTree(r3.body());
            assertEquals(e3.get("message").asText(), ed.fieldError(e3.get("field").asText()));
            ed.screenshot(SHOTS.resolve("editor-gateway-rejected.png"));

            // an open handle: caught on the page, nothing sent
            int before = posts.get();
            ed.clickPixel(60, 60);
            ed.submit();
            assertTrue(ed.fieldError("points").contains("has no target yet"), ed.fieldError("points"));
            assertEquals(before, posts.get());
            assertEquals(3, posts.get());
            assertEquals(List.of(), ed.errors.stream().filter(s -> !s.contains("400")).toList(), "page errors");
        }
    }

    private static boolean maskAt(EditorPage ed, int x, int y) {
        return (Boolean) ed.page().evaluate("([x, y]) => rdEditor.maskAt(x, y)", List.of(x, y));
    }

    private static List<List<Integer>> ints(List<List<Number>> pts) {
        return pts.stream().map(p -> p.stream().map(Number::intValue).toList()).toList();
    }

    private static String intsJson(JsonNode pts) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < pts.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('[').append(pts.get(i).get(0).asInt()).append(',')
                    .append(pts.get(i).get(1).asInt()).append(']');
        }
        return sb.append(']').toString();
    }
}
