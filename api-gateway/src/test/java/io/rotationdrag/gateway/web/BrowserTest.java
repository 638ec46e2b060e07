package io.rotationdrag.gateway.web;

import io.rotationdrag.service.testing.web.Chromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the editor's browser tests: one headless Chromium per test class. */
abstract class BrowserTest {
    static Chromium chromium;

    @BeforeAll
    static void launchChromium() {
        chromium = Chromium.launch();
    }

    @AfterAll
    static void closeChromium() {
        if (chromium != null) {
            chromium.close();
            chromium = null;
        }
    }
}
