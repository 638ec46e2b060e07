package io.rotationdrag.worker.eval;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** {@code rd.model.path} (env RD_MODEL_PATH): the diffusers model folder this worker loads. */
@ConfigMapping(prefix = "rd.model")
public interface ModelConfig {
    Optional<String> path();
}
