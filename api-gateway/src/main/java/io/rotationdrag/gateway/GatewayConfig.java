package io.rotationdrag.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Limits and behaviour of the HTTP API (prefix {@code rd.gateway}). */
@ConfigMapping(prefix = "rd.gateway")
public interface GatewayConfig {
    /** Largest accepted image or mask upload in bytes; larger gets 413 with a reason. */
    @WithDefault("20971520")
    long maxUploadBytes();

    /** Largest accepted image area (width x height) in pixels, checked from the header before decoding. */
    @WithDefault("16777216")
    long maxImagePixels();

    /** Server cap on point pairs, whatever options.maxPointPairs says. */
    @WithDefault("16")
    int maxPointPairs();

    /** Server cap on options.workingSize, after 0 is resolved to the model's native size (the workers' memory grows
     *  with its square). */
    @WithDefault("1024")
    int maxWorkingSize();

    /** How often an event stream looks at the job row for changes. */
    @WithDefault("250ms")
    Duration eventPoll();

    /** A comment line is sent this often on an idle event stream, so proxies keep it open. */
    @WithDefault("15s")
    Duration eventKeepAlive();

    /** Largest page size of the job list. */
    @WithDefault("200")
    int maxPageSize();
}
