package io.rotationdrag.worker.eval;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.rotationdrag.diffusion.TinyModelFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes a tiny random model in the real diffusers layout and points the worker at it (rd.model.path). */
public class TinyModelResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("rd-eval-tiny");
            TinyModelFactory.write(dir.resolve("model"), TinyModelFactory.Spec.small(), 21);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the tiny model", e);
        }
        // two DIFT copies keep the test fast; the recipe is otherwise the production one (t=261, up_blocks[1])
        return Map.of("rd.model.path", dir.resolve("model").toString(), "rd.eval.dift.ensemble", "2");
    }

    @Override
    public void stop() {
        // the temp folder is left for inspection; it holds < 10 MB
    }
}
