package io.rotationdrag.service.testing.web;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.WaitForSelectorState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The editor page at {@code /} as a test drives it: actions in image pixels (the page maps them to the scaled
 * canvas exactly as a user's pointer would land), reads through the page's DOM and its {@code window.rdEditor}.
 */
public final class EditorPage {
    /**
     * Run with {@code page.evaluate} before a job starts: records in {@code window.__seen} every progress value and
     * job state the page showed, and how many previews it loaded.
     */
    public static final String PROGRESS_RECORDER = """
            () => {
              const seen = window.__seen = { progress: [], states: [], previews: 0 };
              const bar = document.getElementById('progress-bar');
              const st = document.getElementById('job-state');
              new MutationObserver(() => {
                const v = Number(bar.getAttribute('aria-valuenow'));
                if (seen.progress[seen.progress.length - 1] !== v) seen.progress.push(v);
              }).observe(bar, { attributes: true });
              new MutationObserver(() => {
                const s = st.textContent;
                if (seen.states[seen.states.length - 1] !== s) seen.states.push(s);
              }).observe(st, { childList: true, characterData: true, subtree: true });
              document.getElementById('preview-img').addEventListener('load', () => seen.previews++);
            }""";

    private final Page page;
    /** Uncaught script errors and console errors of the page (a broken module shows up here). */
    public final List<String> errors = new ArrayList<>();

    public EditorPage(Page page) {
        this.page = page;
        page.onPageError(e -> errors.add("pageerror: " + e));
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type())) {
                errors.add("console: " + m.text() + " @ " + m.location());
            }
        });
    }

    public Page page() {
        return page;
    }

    /** Opens the editor with this API key in its localStorage, as a user who entered it in the key field. */
    public EditorPage open(String url, String apiKey) {
        page.addInitScript("localStorage.setItem('rd.apiKey', '" + apiKey.replace("'", "") + "')");
        return open(url);
    }

    public EditorPage open(String url) {
        page.navigate(url);
        page.waitForSelector("body[data-ready=true]");
        return this;
    }

    public void uploadImage(String name, byte[] png, int width, int height) {
        page.setInputFiles("#image-file", new FilePayload(name, "image/png", png));
        page.waitForFunction("([w, h]) => { const c = document.getElementById('stage');"
                + " return document.getElementById('stage-empty').hidden && c.width === w && c.height === h; }",
                List.of(width, height));
    }

    public void tool(String tool) {
        page.check("#tool-" + tool);
    }

    /** Sets the brush diameter (image pixels) through its slider. */
    public void brush(int diameter) {
        page.evaluate("d => { const s = document.getElementById('brush-size'); s.value = d;"
                + " s.dispatchEvent(new Event('input', {bubbles: true})); }", diameter);
    }

    /** A brush stroke from (x0, y0) to (x1, y1) in image pixels, with intermediate pointer moves. */
    public void stroke(double x0, double y0, double x1, double y1) {
        double[] a = screen(x0, y0);
        double[] b = screen(x1, y1);
        page.mouse().move(a[0], a[1]);
        page.mouse().down();
        page.mouse().move(b[0], b[1], new com.microsoft.playwright.Mouse.MoveOptions().setSteps(12));
        page.mouse().up();
    }

    /** A click on the centre of image pixel (x, y) with the current tool. */
    public void clickPixel(int x, int y) {
        double[] p = screen(x + 0.5, y + 0.5);
        page.mouse().click(p[0], p[1]);
    }

    private double[] screen(double x, double y) {
        BoundingBox box = page.locator("#stage").boundingBox();
        // the canvas has a 1 px CSS border: its backing store maps to the content box
        int w = ((Number) page.evaluate("() => document.getElementById('stage').width")).intValue();
        int h = ((Number) page.evaluate("() => document.getElementById('stage').height")).intValue();
        double border = ((Number) page.evaluate("() => parseFloat(getComputedStyle(document.getElementById('stage'))"
                + ".borderLeftWidth)")).doubleValue();
        double cw = box.width - 2 * border;
        double ch = box.height - 2 * border;
        return new double[] {box.x + border + x * cw / w, box.y + border + y * ch / h};
    }

    @SuppressWarnings("unchecked")
    public List<List<Number>> points() {
        return (List<List<Number>>) page.evaluate("() => rdEditor.points()");
    }

    public double maskCoverage() {
        return ((Number) page.evaluate("() => rdEditor.maskCoverage()")).doubleValue();
    }

    public void fill(String selector, String value) {
        page.fill(selector, value);
    }

    public void submit() {
        page.click("#submit-btn");
    }

    /** Waits until the error slot of {@code field} shows text, and returns it. */
    public String fieldError(String field) {
        String sel = "[data-error-for='" + field + "']";
        page.waitForFunction("s => document.querySelector(s).textContent.trim().length > 0", sel);
        return page.textContent(sel).trim();
    }

    public boolean fieldMarked(String field) {
        return (Boolean) page.evaluate("f => !!document.querySelector(`[data-error-for='${f}']`)"
                + ".closest('.field')?.classList.contains('has-error')", field);
    }

    public String text(String selector) {
        return page.textContent(selector).trim();
    }

    public void waitVisible(String selector) {
        page.waitForSelector(selector, new Page.WaitForSelectorOptions().setState(WaitForSelectorState.VISIBLE));
    }

    public Path screenshot(Path file) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        return file;
    }
}
