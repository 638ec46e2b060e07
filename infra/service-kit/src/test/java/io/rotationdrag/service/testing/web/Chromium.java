package io.rotationdrag.service.testing.web;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright for Java. Playwright never downloads a browser here
 * (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, executablePath = /usr/bin/chromium); a missing Chromium FAILS the test
 * with the install command instead of skipping it. Each launch gets a fresh temporary profile from Playwright
 * (it owns --user-data-dir for {@code launch}).
 */
public final class Chromium implements AutoCloseable {
    public static final Path EXECUTABLE = Path.of(System.getProperty("rd.chromium", "/usr/bin/chromium"));
    /** Flags that work on these machines: no sandbox (root), no GPU, no network side traffic. */
    public static final List<String> FLAGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    /** @throws AssertionError when Chromium is missing (install it with infra/local/install-deps) */
    public static Chromium launch() {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new AssertionError("Chromium is missing at " + EXECUTABLE + ": the browser test needs Debian's "
                    + "chromium (`bash infra/local/install-deps`, i.e. `apt-get install -y chromium`); "
                    + "Playwright must not download one");
        }
        Playwright pw = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser b = pw.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(EXECUTABLE).setHeadless(true).setArgs(FLAGS).setTimeout(60_000));
            return new Chromium(pw, b);
        } catch (RuntimeException e) {
            pw.close();
            throw e;
        }
    }

    public Browser browser() {
        return browser;
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
