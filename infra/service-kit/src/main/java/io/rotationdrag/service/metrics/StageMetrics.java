package io.rotationdrag.service.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.rotationdrag.jobs.Stage;
import org.apache.kafka.clients.consumer.Consumer;

import java.time.Duration;

/**
 * The workers' metrics, on Micrometer's global registry (Quarkus adds its Prometheus registry to it; /q/metrics):
 * <ul>
 *   <li>{@code rd_stage_duration_seconds{stage,outcome}}: histogram of one stage attempt's wall time, outcome
 *       done | retry | failed | cancelled | lease_lost;</li>
 *   <li>{@code rd_stage_retries_total{stage}}, {@code rd_dead_letters_total{stage}} (a job failed for good, its
 *       message on the DLQ), {@code rd_lease_reaps_total{stage}} (a dead worker's stage re-queued);</li>
 *   <li>the Kafka consumer's own metrics, among them {@code kafka_consumer_fetch_manager_records_lag} and
 *       {@code ..._records_lag_max} per topic and partition (the consumer lag).</li>
 * </ul>
 * Plain static helpers: the stage loop is not a CDI bean.
 */
public final class StageMetrics {
    private StageMetrics() {
    }

    private static MeterRegistry registry() {
        return Metrics.globalRegistry;
    }

    public static void attempt(Stage stage, String outcome, Duration wall) {
        Timer.builder("rd_stage_duration").description("wall time of one stage attempt").tag("stage", stage.name())
                .tag("outcome", outcome).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofHours(2)).register(registry()).record(wall);
        if (outcome.equals("retry")) {
            count("rd_stage_retries", "stage attempts that failed and were re-queued with backoff", stage);
        } else if (outcome.equals("failed")) {
            count("rd_dead_letters", "jobs failed for good (message on the dead-letter topic)", stage);
        }
    }

    public static void reaped(Stage stage) {
        count("rd_lease_reaps", "stages re-queued after their worker's lease expired", stage);
    }

    /** Binds the consumer's metrics (lag per partition among them); close the returned binder with the consumer. */
    public static AutoCloseable bind(Consumer<?, ?> consumer) {
        KafkaClientMetrics m = new KafkaClientMetrics(consumer);
        m.bindTo(registry());
        return m;
    }

    private static void count(String name, String description, Stage stage) {
        Counter.builder(name).description(description).tag("stage", stage.name()).register(registry()).increment();
    }
}
