package io.rotationdrag.service.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import io.rotationdrag.diffusion.TinyModelFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Worker tests (worker-lora, worker-drag): the tiny model as base model; short lease (3 s), backoff and sweep so
 * failure paths run in seconds.
 */
public class TinyModelWorkerProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "rd.model-dir", tinyModel(),
                "rd.stage.max-attempts", "3",
                "rd.stage.backoff-initial", "200ms",
                "rd.stage.backoff-max", "1s",
                "rd.stage.lease", "3s",
                "rd.worker.reaper-interval", "500ms",
                "rd.worker.sweep-grace", "1s");
    }

    /** The production engine bean loads the base model at start-up: give it the tiny model. */
    public static synchronized String tinyModel() {
        Path dir = Path.of("target/tiny-model").toAbsolutePath();
        try {
            if (!Files.isRegularFile(dir.resolve("unet/config.json"))) {
                TinyModelFactory.write(dir, TinyModelFactory.Spec.small(), 5L);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir.toString();
    }
}
