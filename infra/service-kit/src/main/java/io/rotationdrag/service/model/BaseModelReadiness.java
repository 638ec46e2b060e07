package io.rotationdrag.service.model;

import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Ready only once the warm base model is loaded. Not a bean itself: a service that keeps a {@link BaseModel} warm
 * declares {@code @Readiness @ApplicationScoped class ModelReadiness extends BaseModelReadiness {}}, so a service
 * without one (the gateway) is not held back by a model it never loads.
 */
public abstract class BaseModelReadiness implements HealthCheck {
    @Inject
    protected BaseModel model;

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
