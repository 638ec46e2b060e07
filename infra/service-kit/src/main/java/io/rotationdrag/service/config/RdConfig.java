package io.rotationdrag.service.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Every setting of the job runtime; addresses come from RD_* environment variables (see microprofile-config). */
@ConfigMapping(prefix = "rd")
public interface RdConfig {
    Kafka kafka();

    S3 s3();

    Worker worker();

    Stages stage();

    /** Directory of the diffusers-layout base model the workers load (RD_MODEL_DIR). */
    Optional<String> modelDir();

    interface Kafka {
        String bootstrap();

        /** Create the stage topics at start-up when missing (infra/local creates them too). */
        @WithDefault("true")
        boolean createTopics();

        @WithDefault("6")
        int partitions();
    }

    interface S3 {
        String endpoint();

        String accessKey();

        String secretKey();

        @WithDefault("us-east-1")
        String region();

        /** Create the buckets at start-up when missing. */
        @WithDefault("true")
        boolean createBuckets();
    }

    interface Worker {
        /** Id written to leases and stage records; default host-pid. */
        Optional<String> id();

        /** Start the dispatch loops of the stage handlers present in this service. */
        @WithDefault("true")
        boolean enabled();

        /** Consumers (each one stage at a time) per stage handler in this process, all in one group. */
        @WithDefault("1")
        int concurrency();

        /** How often the reaper looks for expired leases. */
        @WithDefault("5s")
        Duration reaperInterval();

        /** An idle worker claims PENDING tasks of its stage older than this directly from the database
         *  (their message may sit behind a busy consumer's paused partition, or a retry is due). */
        @WithDefault("5s")
        Duration sweepGrace();

        /** Graceful scale-in (SIGTERM): how long a running stage may go on to finish after the worker stops
         *  taking records; past it the stage is asked to stop and its lease is released to another worker.
         *  Keep shutdownGrace + releaseWait + a few seconds below the pod's terminationGracePeriodSeconds. */
        @WithDefault("5s")
        Duration shutdownGrace();

        /** After asking the stage to stop at its next cancellation check, how long to wait for it before the
         *  lease is released anyway (the step in flight is then abandoned; its result is not written). */
        @WithDefault("10s")
        Duration releaseWait();
    }

    interface Stages {
        @WithDefault("3")
        int maxAttempts();

        @WithDefault("2s")
        Duration backoffInitial();

        @WithDefault("60s")
        Duration backoffMax();

        /** Lease length; the heartbeat renews it every third of it. */
        @WithDefault("30s")
        Duration lease();
    }
}
