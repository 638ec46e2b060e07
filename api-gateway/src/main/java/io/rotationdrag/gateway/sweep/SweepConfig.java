package io.rotationdrag.gateway.sweep;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/** Sweeps and the nightly benchmark ({@code rd.sweeps.*}). */
@ConfigMapping(prefix = "rd.sweeps")
public interface SweepConfig {
    /** Relative change of a metric's mean, in the worse direction, that flags a regression (0.05 = 5 %). */
    @WithDefault("0.05")
    double regressionThreshold();

    /** Most jobs one sweep may create. */
    @WithDefault("2000")
    int maxJobs();

    Nightly nightly();

    interface Nightly {
        /** Quartz cron of the nightly sweep, e.g. {@code 0 0 2 * * ?}; "off" (the default) disables it. */
        @WithDefault("off")
        String cron();

        /** Datasets (names under the rd-datasets bucket) the nightly sweep runs; one sweep each. */
        Optional<List<String>> datasets();

        @WithDefault("dragdiffusion,rotationdrag")
        List<String> methods();

        /** Options grid JSON (see OptionGrid); empty = method defaults. */
        @WithDefault("{}")
        String options();
    }
}
