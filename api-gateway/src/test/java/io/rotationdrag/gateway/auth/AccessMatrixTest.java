package io.rotationdrag.gateway.auth;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.rotationdrag.gateway.jobs.SseClient;
import io.rotationdrag.gateway.jobs.TestInputs;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.rotationdrag.gateway.TestAuth.ADMIN;
import static io.rotationdrag.gateway.TestAuth.ALICE;
import static io.rotationdrag.gateway.TestAuth.BOB;
import static io.rotationdrag.gateway.TestAuth.as;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Who may do what (issue 18), on the real stack: anonymous, user alice (the owner), user bob, admin x list, get,
 * input, result, events, cancel, sweeps. Another owner's job answers 404 exactly like a job that does not exist.
 */
@QuarkusTest
@QuarkusTestResource(RdServicesTestResource.class)
class AccessMatrixTest {
    @Inject
    JobStore store;

    @TestHTTPResource("/")
    URL root;

    private static UUID submit(String key, String idempotencyKey, long seed) {
        var req = TestInputs.valid(TestInputs.png(64, 64, seed), null, key);
        if (idempotencyKey != null) {
            req = req.header("Idempotency-Key", idempotencyKey);
        }
        Response r = req.post("/api/v1/jobs");
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.asString());
        return UUID.fromString(r.jsonPath().getString("id"));
    }

    /** Status of each call for one caller on alice's job (null key = anonymous). */
    private Map<String, Integer> row(String key, UUID job) throws Exception {
        Map<String, Integer> m = new LinkedHashMap<>();
        String self = "/api/v1/jobs/" + job;
        m.put("list", as(key).get("/api/v1/jobs").statusCode());
        m.put("get", as(key).get(self).statusCode());
        m.put("input", as(key).get(self + "/input/image").statusCode());
        m.put("result", as(key).get(self + "/result").statusCode()); // 409: exists, not written yet
        try (SseClient sse = new SseClient(URI.create(root + self.substring(1) + "/events"), key)) {
            if (key != null) {
                sse.next(Duration.ofSeconds(10)); // first event (or the close of a refused stream)
            } else {
                sse.next(Duration.ofSeconds(10));
            }
            m.put("events", sse.status());
        }
        m.put("sweeps", as(key).get("/api/v1/sweeps").statusCode());
        m.put("cancel", as(key).delete(self).statusCode()); // last: it ends the job
        return m;
    }

    @Test
    void accessMatrix() throws Exception {
        Map<String, Map<String, Integer>> matrix = new LinkedHashMap<>();
        matrix.put("anonymous", row(null, submit(ALICE, null, 301)));
        matrix.put("bob", row(BOB, submit(ALICE, null, 302)));
        matrix.put("alice", row(ALICE, submit(ALICE, null, 303)));
        matrix.put("admin", row(ADMIN, submit(ALICE, null, 304)));
        System.out.println("access matrix on alice's job: " + matrix);
        assertEquals(Map.of("list", 401, "get", 401, "input", 401, "result", 401, "events", 401, "sweeps", 401,
                "cancel", 401), matrix.get("anonymous"));
        assertEquals(Map.of("list", 200, "get", 404, "input", 404, "result", 404, "events", 404, "sweeps", 200,
                "cancel", 404), matrix.get("bob"));
        assertEquals(Map.of("list", 200, "get", 200, "input", 200, "result", 409, "events", 200, "sweeps", 200,
                "cancel", 200), matrix.get("alice"));
        assertEquals(Map.of("list", 200, "get", 200, "input", 200, "result", 409, "events", 200, "sweeps", 200,
                "cancel", 200), matrix.get("admin"));
    }

    @Test
    void listsShowOnlyOwnJobsAndAdminsSeeAll() {
        UUID a = submit(ALICE, null, 310);
        UUID b = submit(BOB, null, 311);
        List<String> alices = as(ALICE).queryParam("size", 200).get("/api/v1/jobs").jsonPath().getList("items.id");
        List<String> bobs = as(BOB).queryParam("size", 200).get("/api/v1/jobs").jsonPath().getList("items.id");
        assertTrue(alices.contains(a.toString()) && !alices.contains(b.toString()), alices.toString());
        assertTrue(bobs.contains(b.toString()) && !bobs.contains(a.toString()), bobs.toString());
        assertEquals(store.count("bob", null), as(BOB).get("/api/v1/jobs").jsonPath().getLong("total"));
        Response all = as(ADMIN).queryParam("size", 2).get("/api/v1/jobs");
        assertEquals(store.count(null), all.jsonPath().getLong("total"));
        // bob's 404 for alice's job reads exactly like an unknown job's
        String unknown = as(BOB).get("/api/v1/jobs/" + UUID.randomUUID()).jsonPath().getString("message");
        String hidden = as(BOB).get("/api/v1/jobs/" + a).jsonPath().getString("message");
        assertEquals(unknown.replaceAll("[0-9a-f-]{36}", "ID"), hidden.replaceAll("[0-9a-f-]{36}", "ID"));
        for (UUID id : List.of(a, b)) {
            store.requestCancel(id);
        }
    }

    /** The same Idempotency-Key from two principals: two jobs, and neither learns of the other's. */
    @Test
    void idempotencyKeysAreScopedPerPrincipal() {
        String key = "shared-" + UUID.randomUUID();
        UUID a = submit(ALICE, key, 320);
        // bob, same key, another body: a new job of his own, not a 422 naming alice's job
        var req = TestInputs.valid(TestInputs.png(64, 64, 321), null, BOB).header("Idempotency-Key", key);
        Response r = req.post("/api/v1/jobs");
        assertEquals(201, r.statusCode(), r.asString());
        assertNotEquals(a.toString(), r.jsonPath().getString("id"));
        assertFalse(r.asString().contains(a.toString()));
        // alice's replay of her own key still finds her job
        Response again = TestInputs.valid(TestInputs.png(64, 64, 320), null, ALICE).header("Idempotency-Key", key)
                .post("/api/v1/jobs");
        assertEquals(200, again.statusCode(), again.asString());
        assertEquals(a.toString(), again.jsonPath().getString("id"));
        store.requestCancel(a);
        store.requestCancel(UUID.fromString(r.jsonPath().getString("id")));
    }

    /**
     * A cross-site form post carries no Authorization header: 401, nothing stored. A signed link opens GETs of its
     * own job only: not another job, not a cancel.
     */
    @Test
    void crossSitePostsAndSignedLinks() throws Exception {
        long before = store.count(null);
        Response csrf = TestInputs.valid(TestInputs.png(64, 64, 330), null, null).header("Origin", "https://evil.example")
                .post("/api/v1/jobs");
        assertEquals(401, csrf.statusCode(), csrf.asString());
        assertEquals("application/json", csrf.contentType().split(";")[0]);
        assertNotNull(csrf.header("WWW-Authenticate"));
        assertEquals(before, store.count(null));
        assertEquals(401, as("not-a-key").get("/api/v1/jobs").statusCode());
        assertEquals(401, as(null).header("Authorization", "Basic YTpi").get("/api/v1/jobs").statusCode());

        UUID a = submit(ALICE, null, 331);
        UUID other = submit(ALICE, null, 332);
        Map<String, String> links = as(ALICE).get("/api/v1/jobs/" + a).jsonPath().getMap("links");
        String access = links.get("access");
        assertTrue(links.get("events").endsWith("?" + access), links.toString());
        // with the link alone (no header): image and events of that job open
        assertEquals(200, as(null).get(links.get("image")).statusCode());
        try (SseClient sse = new SseClient(URI.create(root + links.get("events").substring(1)), null)) {
            assertEquals("state", sse.next(Duration.ofSeconds(10)).name());
            assertEquals(200, sse.status());
        }
        // not another job, not a cancel, not a tampered or foreign token
        assertEquals(401, as(null).get("/api/v1/jobs/" + other + "/input/image?" + access).statusCode());
        assertEquals(401, as(null).delete("/api/v1/jobs/" + a + "?" + access).statusCode());
        assertEquals(401, as(null).get("/api/v1/jobs?" + access).statusCode());
        String tampered = access.replace("alice.", "bob.");
        assertEquals(401, as(null).get("/api/v1/jobs/" + a + "/input/image?" + tampered).statusCode());
        for (UUID id : new ArrayList<>(List.of(a, other))) {
            store.requestCancel(id);
        }
    }

    @Test
    void healthStaysOpen() {
        assertEquals(200, as(null).get("/q/health/live").statusCode());
    }
}
