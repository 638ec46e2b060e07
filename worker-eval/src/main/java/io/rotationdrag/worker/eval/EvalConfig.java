package io.rotationdrag.worker.eval;

import io.rotationdrag.eval.DiftSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Settings of the eval worker ({@code rd.eval.*}; env RD_LPIPS_WEIGHTS, RD_EVAL_DIFT_*, application.properties). */
@ConfigMapping(prefix = "rd.eval")
public interface EvalConfig {
    /** LPIPS (AlexNet) safetensors for IF; absent = IF reported unavailable with the reason. */
    Optional<String> lpipsWeights();

    Dift dift();

    interface Dift {
        @WithDefault("" + DiftSettings.DEFAULT_TIMESTEP)
        int timestep();

        @WithDefault("" + DiftSettings.DEFAULT_UP_BLOCK)
        int upBlock();

        @WithDefault("" + DiftSettings.DEFAULT_ENSEMBLE)
        int ensemble();

        @WithDefault("0")
        long seed();
    }
}
