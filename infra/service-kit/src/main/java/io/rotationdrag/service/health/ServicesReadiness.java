package io.rotationdrag.service.health;

import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.kafka.OutboxRelay;
import io.rotationdrag.service.kafka.TopicAdmin;
import io.rotationdrag.service.runtime.StageWorker;
import io.rotationdrag.service.runtime.WorkerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: Kafka and the object store answer (the datasource check comes with quarkus-agroal), and the
 * outbox relay is not stuck. Liveness: every dispatch loop of this service is running.
 */
public final class ServicesReadiness {
    private ServicesReadiness() {
    }

    @Readiness
    @ApplicationScoped
    public static class Dependencies implements HealthCheck {
        @Inject
        TopicAdmin topics;

        @Inject
        BlobStore blobs;

        @Inject
        OutboxRelay relay;

        @Override
        public HealthCheckResponse call() {
            boolean kafka = topics.ping();
            boolean s3 = blobs.ping();
            String relayError = relay.lastError();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("rotationdrag-dependencies")
                    .withData("kafka", kafka).withData("objectStore", s3)
                    .withData("outboxPublished", relay.publishedCount());
            if (relayError != null) {
                b.withData("outboxError", relayError);
            }
            return b.status(kafka && s3 && relayError == null).build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class DispatchLoops implements HealthCheck {
        @Inject
        WorkerRuntime runtime;

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("rotationdrag-dispatch-loops");
            boolean up = true;
            for (StageWorker w : runtime.workers()) {
                b.withData(w.workerId(), w.isAlive() ? (w.isBusy() ? "busy" : "idle") : "dead");
                up &= w.isAlive();
            }
            return b.status(up).build();
        }
    }
}
