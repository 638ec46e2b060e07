package io.rotationdrag.worker.eval;

import io.quarkus.runtime.Startup;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.eval.DiftSettings;
import io.rotationdrag.eval.EditEvaluator;
import io.rotationdrag.eval.EvalSettings;
import io.rotationdrag.eval.SsimOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import io.rotationdrag.service.config.RdConfig;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The warm model and evaluator of this worker, loaded once at start-up. The model folder is
 * {@code rd.model.path} (env RD_MODEL_PATH), else the kit's {@code rd.model-dir} (RD_MODEL_DIR), else the
 * embedded default model; when none exists start-up fails with a message saying what to configure.
 */
@Startup
@ApplicationScoped
public class EvalModel {
    private static final Logger LOG = LoggerFactory.getLogger(EvalModel.class);

    @Inject
    ModelConfig modelConfig;

    @Inject
    EvalConfig config;

    @Inject
    RdConfig rd;

    private StableDiffusion model;
    private EditEvaluator evaluator;
    private Path folder;

    @PostConstruct
    void load() {
        folder = resolveFolder();
        try {
            model = StableDiffusion.load(folder, EngineOptions.cpu());
        } catch (Exception e) {
            throw new IllegalStateException("worker-eval cannot load the model at " + folder + ": " + e.getMessage(), e);
        }
        EvalConfig.Dift d = config.dift();
        Path lpips = config.lpipsWeights().filter(s -> !s.isBlank()).map(Path::of).orElse(null);
        EvalSettings settings = new EvalSettings(new DiftSettings(d.timestep(), d.upBlock(), d.ensemble(), d.seed()),
                SsimOptions.defaults(), lpips);
        evaluator = new EditEvaluator(model, settings);
        LOG.info("eval model {} loaded; DIFT t={} up_blocks[{}] x{} copies; LPIPS {}", folder, d.timestep(),
                d.upBlock(), d.ensemble(), lpips == null ? "absent (IF reported unavailable)" : lpips);
    }

    private Path resolveFolder() {
        Optional<String> configured = modelConfig.path().filter(s -> !s.isBlank())
                .or(() -> rd.modelDir().filter(s -> !s.isBlank()));
        if (configured.isPresent()) {
            Path p = Path.of(configured.get());
            if (!Files.isDirectory(p)) {
                throw new IllegalStateException("worker-eval: configured model folder " + p
                        + " (rd.model.path / RD_MODEL_PATH or rd.model-dir / RD_MODEL_DIR) does not exist");
            }
            return p;
        }
        if (!EmbeddedModel.isAvailable()) {
            throw new IllegalStateException("worker-eval has no model: set rd.model.path (env RD_MODEL_PATH) or "
                    + "RD_MODEL_DIR to a diffusers folder, or put the embedded default model "
                    + EmbeddedModel.NAME + " on the class path");
        }
        return EmbeddedModel.locate();
    }

    public EditEvaluator evaluator() {
        return evaluator;
    }

    public Path folder() {
        return folder;
    }

    @PreDestroy
    void close() {
        if (evaluator != null) {
            evaluator.close();
        }
        if (model != null) {
            model.close();
        }
    }
}
