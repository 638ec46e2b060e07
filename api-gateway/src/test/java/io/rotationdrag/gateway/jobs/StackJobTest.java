package io.rotationdrag.gateway.jobs;

import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;

import java.time.Instant;

/**
 * Base of the gateway tests that submit jobs: after each test it cancels the jobs the test left unfinished, so that
 * workers sharing the stack later (the demo, e2e tests) do not pick them up: the tests' jobs are valid edits with
 * full-size default options.
 */
abstract class StackJobTest {
    @Inject
    JobStore store;

    private final Instant started = Instant.now();

    @AfterEach
    void cancelLeftovers() {
        cancelCreatedSince(store, started);
    }

    static void cancelCreatedSince(JobStore store, Instant since) {
        for (int page = 0; ; page++) {
            var jobs = store.page(null, page, 200);
            for (JobEntity j : jobs) {
                if (!j.createdAt.isBefore(since) && !j.state.isTerminal()) {
                    store.requestCancel(j.id);
                }
            }
            if (jobs.size() < 200 || jobs.get(jobs.size() - 1).createdAt.isBefore(since)) {
                return;
            }
        }
    }
}
