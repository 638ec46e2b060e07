package io.rotationdrag.gateway.auth;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.rotationdrag.gateway.jobs.TestInputs;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.testing.RdServicesTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.rotationdrag.gateway.TestAuth.as;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Admission control: a burst of submissions by one principal gets exactly its quota of 201s and 429s with
 * Retry-After for the rest, stores nothing for the refused ones, and frees a place when a job ends.
 */
@QuarkusTest
@TestProfile(QuotaTest.Profile.class)
@QuarkusTestResource(RdServicesTestResource.class)
class QuotaTest {
    static final String CAROL = "test-key-carol";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rd.gateway.auth.keys",
                    "carol:user:48b36432454e8babfc34952e4826aae12b17379b5a4c0a5c837a695a9cf9b882",
                    "rd.gateway.quota.max-active-jobs", "3",
                    "rd.gateway.quota.max-active-sweeps", "1",
                    "rd.gateway.quota.retry-after", "17s");
        }
    }

    @Inject
    JobStore store;

    private void cancelCarols() {
        for (var j : store.page("carol", null, 0, 200)) {
            if (!j.state.isTerminal()) {
                store.requestCancel(j.id);
            }
        }
    }

    @Test
    void aBurstGetsItsQuotaThen429WithRetryAfter() throws Exception {
        cancelCarols();
        long before = store.count(null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<Response>> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long seed = 400 + i;
            burst.add(() -> TestInputs.valid(TestInputs.png(64, 64, seed), null, CAROL).post("/api/v1/jobs"));
        }
        int created = 0;
        int refused = 0;
        for (Future<Response> f : pool.invokeAll(burst)) {
            Response r = f.get();
            if (r.statusCode() == 201) {
                created++;
            } else {
                assertEquals(429, r.statusCode(), r.asString());
                assertEquals("17", r.header("Retry-After"));
                assertEquals(429, r.jsonPath().getInt("status"));
                assertTrue(r.jsonPath().getString("message").contains("3 unfinished jobs"), r.asString());
                refused++;
            }
        }
        pool.shutdown();
        System.out.println("burst of 8 with quota 3: " + created + " x 201, " + refused + " x 429");
        assertEquals(3, created, "the advisory lock admits exactly the quota, concurrent or not");
        assertEquals(5, refused);
        assertEquals(before + 3, store.count(null), "nothing stored for a refused submission");

        // a finished (here: cancelled) job frees its place
        UUID one = store.page("carol", null, 0, 1).get(0).id;
        store.requestCancel(one);
        assertEquals(201, TestInputs.valid(TestInputs.png(64, 64, 420), null, CAROL).post("/api/v1/jobs").statusCode());
        cancelCarols();
    }

    @Inject
    io.rotationdrag.service.sweep.SweepStore sweeps;

    /** One unfinished sweep per principal here: the second is 429 until the first has ended; nothing stored. */
    @Test
    void aSecondSweepWaitsForTheFirst() throws Exception {
        cancelCarols();
        String dataset = "quota-" + UUID.randomUUID().toString().substring(0, 8);
        java.nio.file.Path root = java.nio.file.Files.createTempDirectory("rd-quota-ds");
        io.rotationdrag.eval.DragBenchSample s = new io.rotationdrag.eval.DragBenchSample("c", "s1",
                TestInputs.picture(64, 64, 7), null, List.of(new io.rotationdrag.eval.HandleTarget(10, 10, 30, 10)),
                "a bar", null, null);
        io.rotationdrag.eval.DragBenchWriter.writeSampleUnder(root, s);
        io.rotationdrag.gateway.sweep.DatasetImport.main(new String[] {root.toString(), dataset});
        String body = "{\"dataset\":\"" + dataset + "\",\"methods\":[\"rotationdrag\"]}";
        Response first = as(CAROL).contentType("application/json").body(body).post("/api/v1/sweeps");
        assertEquals(201, first.statusCode(), first.asString());
        long stored = sweeps.page("carol", 0, 100).size();
        Response second = as(CAROL).contentType("application/json").body(body).post("/api/v1/sweeps");
        assertEquals(429, second.statusCode(), second.asString());
        assertEquals("17", second.header("Retry-After"));
        assertTrue(second.jsonPath().getString("message").contains("unfinished sweeps"), second.asString());
        assertEquals(stored, sweeps.page("carol", 0, 100).size(), "no sweep row for the refused one");
        cancelCarols(); // the first sweep's job ends
        Response third = as(CAROL).contentType("application/json").body(body).post("/api/v1/sweeps");
        assertEquals(201, third.statusCode(), third.asString());
        cancelCarols();
    }

    /** The server-wide limit, through JobStore directly: one place left admits one job, then refuses. */
    @Test
    void theTotalLimitCountsEveryOwner() {
        long active = store.activeCount(null);
        var limit = new JobStore.Admission(0, (int) active + 1);
        UUID a = UUID.randomUUID();
        store.create(new JobStore.NewJob(a, "rotationdrag", "p", "[[1,1],[2,2]]", "{}", null, "h", 64, 64, false,
                "dave"), limit);
        UUID b = UUID.randomUUID();
        JobStore.AdmissionRefused e = assertThrows(JobStore.AdmissionRefused.class, () -> store.create(
                new JobStore.NewJob(b, "rotationdrag", "p", "[[1,1],[2,2]]", "{}", null, "h", 64, 64, false, "erin"),
                limit));
        assertEquals("total", e.scope);
        assertTrue(store.find(b).isEmpty());
        store.requestCancel(a);
    }

    @Test
    void noAccessWithoutAKeyOfThisConfiguration() {
        assertEquals(401, as("test-key-alice").get("/api/v1/jobs").statusCode());
        assertEquals(200, as(CAROL).get("/api/v1/jobs").statusCode());
    }
}
