package io.rotationdrag.service.runtime;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Short leases, backoffs and sweeps so the runtime's failure paths run in seconds; two consumers per stage. */
public class KitTestProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "rd.worker.concurrency", "2",
                "rd.stage.max-attempts", "3",
                "rd.stage.backoff-initial", "200ms",
                "rd.stage.backoff-max", "1s",
                "rd.stage.lease", "3s",
                "rd.worker.reaper-interval", "500ms",
                "rd.worker.sweep-grace", "1s");
    }
}
