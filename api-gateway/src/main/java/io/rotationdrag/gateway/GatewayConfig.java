package io.rotationdrag.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

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

    /**
     * Largest request body (all parts of a job together) announced by Content-Length: 413 with a JSON reason.
     * quarkus.http.limits.max-body-size is set above it as a backstop for bodies without a length.
     */
    @WithDefault("67108864")
    long maxRequestBytes();

    /** A request body must have arrived this long after the request began, or the answer is 408. */
    @WithDefault("60s")
    Duration bodyTimeout();

    /** Largest page size of the job list. */
    @WithDefault("200")
    int maxPageSize();

    /** Upper bounds on the options a job may ask for (the workers' time grows with each); 400 naming the option. */
    Limits limits();

    interface Limits {
        /** options.drag.maxSteps (reference UI 80, paper 160). */
        @WithDefault("300")
        int dragMaxSteps();

        /** options.drag.trackRadius r_p: the tracking window has (2 r_p + 1)^2 cells (default 3). */
        @WithDefault("12")
        int dragTrackRadius();

        /** options.drag.supervisionRadius r_m (default 1). */
        @WithDefault("8")
        int dragSupervisionRadius();

        /** options.lora.steps (reference 60-80). */
        @WithDefault("400")
        int loraSteps();

        /** options.lora.rank (reference 16). */
        @WithDefault("64")
        int loraRank();

        /** options.lora.batchSize (reference 4). */
        @WithDefault("8")
        int loraBatchSize();

        /** options.inversion.numInferenceSteps (reference 50). */
        @WithDefault("200")
        int inversionSteps();

        /** Most preview images per job, ceil(drag.maxSteps / previewEvery): each costs a VAE decode. */
        @WithDefault("40")
        int previews();
    }

    /** Who may call {@code /api/v1} ({@link io.rotationdrag.gateway.auth.ApiKeys}). */
    Auth auth();

    interface Auth {
        /**
         * API keys as {@code principal:role:sha256hex} entries, comma separated (role user or admin; the hex is the
         * SHA-256 of the key, so the configuration never holds a key itself). From RD_API_KEYS by default.
         */
        Optional<List<String>> keys();

        /** HMAC secret of the signed links (event streams, images, reports); empty = random at each start. */
        Optional<String> linkSecret();

        /** How long a signed link stays valid. */
        @WithDefault("12h")
        Duration linkTtl();
    }

    /** Admission control: unfinished jobs and sweeps; over a limit the answer is 429 with Retry-After. */
    Quota quota();

    interface Quota {
        /** Unfinished jobs of one principal (jobs of its sweeps not counted; see maxActiveSweeps). */
        @WithDefault("20")
        int maxActiveJobs();

        /** Unfinished jobs of everyone, sweeps included; 0 = no limit. */
        @WithDefault("2000")
        int maxActiveJobsTotal();

        /** Sweeps of one principal that still have unfinished jobs. */
        @WithDefault("2")
        int maxActiveSweeps();

        /** The Retry-After of a 429. */
        @WithDefault("30s")
        Duration retryAfter();
    }
}
