package io.rotationdrag.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.service.db.JobStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The gateway's metrics (Prometheus names at /q/metrics):
 * <ul>
 *   <li>{@code rd_jobs_submitted_total}: jobs created through the API (sweeps' included);</li>
 *   <li>{@code rd_jobs_rejected_total{reason}}: submissions refused, reason invalid | too_large |
 *       unsupported_type | idempotency_conflict | quota | unauthenticated;</li>
 *   <li>{@code rd_jobs{state}}: jobs per state, all owners;</li>
 *   <li>{@code rd_queue_depth{stage}}: stage tasks waiting for a worker (PENDING) per stage.</li>
 * </ul>
 * The two gauges show a snapshot that a timer refreshes every 5 s, so a scrape never waits on the database.
 */
@ApplicationScoped
public class GatewayMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayMetrics.class);

    @Inject
    MeterRegistry registry;

    @Inject
    JobStore store;

    private volatile Map<String, Long> byState = Map.of();
    private volatile Map<String, Long> pending = Map.of();

    void register(@Observes StartupEvent e) {
        for (JobState s : JobState.values()) {
            Gauge.builder("rd_jobs", this, m -> m.byState.getOrDefault(s.name(), 0L))
                    .description("jobs per state").tag("state", s.name()).register(registry);
        }
        for (Stage s : Stage.values()) {
            Gauge.builder("rd_queue_depth", this, m -> m.pending.getOrDefault(s.name(), 0L))
                    .description("stage tasks waiting for a worker").tag("stage", s.name()).register(registry);
        }
    }

    public void submitted() {
        Counter.builder("rd_jobs_submitted").description("jobs created").register(registry).increment();
    }

    public void rejected(String reason) {
        Counter.builder("rd_jobs_rejected").description("job submissions refused, by reason").tag("reason", reason)
                .register(registry).increment();
    }

    /** The rejection reason of an HTTP status of POST /api/v1/jobs. */
    public static String reason(int status) {
        return switch (status) {
            case 401 -> "unauthenticated";
            case 413 -> "too_large";
            case 415 -> "unsupported_type";
            case 422 -> "idempotency_conflict";
            case 429 -> "quota";
            default -> "invalid";
        };
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            byState = store.countByState();
            pending = store.pendingByStage();
        } catch (RuntimeException e) {
            LOG.warn("metrics: could not read job counts: {}", e.toString());
        }
    }
}
