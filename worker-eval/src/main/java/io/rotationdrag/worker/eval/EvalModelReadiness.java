package io.rotationdrag.worker.eval;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the evaluation model is loaded (it is loaded at start-up; start-up fails without one). */
@Readiness
@ApplicationScoped
public class EvalModelReadiness implements HealthCheck {
    @Inject
    EvalModel model;

    @Override
    public HealthCheckResponse call() {
        boolean up = model.evaluator() != null;
        return HealthCheckResponse.named("eval-model").status(up)
                .withData("folder", String.valueOf(model.folder()))
                .withData("lpips", model.evaluator() != null && model.evaluator().hasLpips()).build();
    }
}
