package io.rotationdrag.worker.drag;

import io.rotationdrag.service.model.BaseModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the warm base model is loaded (the engine loads it at start-up). */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
    @Inject
    BaseModel model;

    @Override
    public HealthCheckResponse call() {
        boolean loaded = model.isLoaded();
        var b = HealthCheckResponse.named("rotationdrag-base-model").status(loaded);
        if (loaded) {
            b.withData("model", model.id());
        }
        return b.build();
    }
}
