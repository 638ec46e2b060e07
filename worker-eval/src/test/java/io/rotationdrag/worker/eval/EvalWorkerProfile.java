package io.rotationdrag.worker.eval;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Short backoffs and sweeps so the test's dispatch and failure paths run in seconds. */
public class EvalWorkerProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("rd.stage.backoff-initial", "200ms", "rd.stage.backoff-max", "1s",
                "rd.worker.sweep-grace", "1s", "rd.worker.reaper-interval", "1s");
    }
}
