package io.rotationdrag.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.rotationdrag.gateway.jobs.TestInputs;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.Await;
import io.rotationdrag.service.testing.RdServicesTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.rotationdrag.gateway.TestAuth.as;
import static org.junit.jupiter.api.Assertions.*;

/** The Prometheus scrape: submissions, rejections by reason, jobs per state and queue depth, open without a key. */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class MetricsTest {
    @Inject
    JobStore store;

    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.Ee+-]+)$", Pattern.MULTILINE).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static String scrape() {
        var r = as(null).get("/q/metrics");
        assertEquals(200, r.statusCode());
        return r.asString();
    }

    @Test
    void scrapeCountsSubmissionsRejectionsStatesAndQueueDepth() throws Exception {
        String before = scrape();
        double submitted = value(before, "rd_jobs_submitted_total");
        double invalid = value(before, "rd_jobs_rejected_total{reason=\"invalid\"}");
        double unauth = value(before, "rd_jobs_rejected_total{reason=\"unauthenticated\"}");

        var ok = TestInputs.valid(TestInputs.png(64, 64, 501), null).post("/api/v1/jobs");
        assertEquals(201, ok.statusCode(), ok.asString());
        UUID id = UUID.fromString(ok.jsonPath().getString("id"));
        assertEquals(400, TestAuth.given().multiPart("method", "nodrag").post("/api/v1/jobs").statusCode());
        assertEquals(401, as(null).multiPart("method", "x").post("/api/v1/jobs").statusCode());

        String after = scrape();
        System.out.println("metrics scrape excerpt:\n" + after.lines().filter(l -> l.startsWith("rd_"))
                .collect(java.util.stream.Collectors.joining("\n")));
        assertEquals(submitted + 1, value(after, "rd_jobs_submitted_total"));
        assertEquals(invalid + 1, value(after, "rd_jobs_rejected_total{reason=\"invalid\"}"));
        assertEquals(unauth + 1, value(after, "rd_jobs_rejected_total{reason=\"unauthenticated\"}"));
        // the gauges follow the database within their 5 s refresh
        long queued = store.count(io.rotationdrag.jobs.JobState.QUEUED);
        Await.until(Duration.ofSeconds(20), () -> value(scrape(), "rd_jobs{state=\"QUEUED\"}"),
                v -> Math.abs(v - store.count(io.rotationdrag.jobs.JobState.QUEUED)) < 1,
                "rd_jobs{state=QUEUED} = " + queued);
        assertTrue(value(scrape(), "rd_queue_depth{stage=\"LORA\"}") >= 1, "the new job's LORA task is pending");
        store.requestCancel(id);
    }
}
