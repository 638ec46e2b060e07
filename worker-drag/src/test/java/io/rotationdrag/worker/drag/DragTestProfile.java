package io.rotationdrag.worker.drag;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Short lease (3 s), backoff and sweep so failure paths run in seconds. */
public class DragTestProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "rd.stage.max-attempts", "3",
                "rd.stage.backoff-initial", "200ms",
                "rd.stage.backoff-max", "1s",
                "rd.stage.lease", "3s",
                "rd.worker.reaper-interval", "500ms",
                "rd.worker.sweep-grace", "1s");
    }
}
