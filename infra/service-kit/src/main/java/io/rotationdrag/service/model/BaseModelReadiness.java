package io.rotationdrag.service.model;

import io.rotationdrag.diffusion.nn.KernelSelfCheck;
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

    /**
     * UP once the model is loaded and the convolution self-check (run when the model loads) says float32 gradients
     * are right in this process; its verdict is in the details either way, so an operator sees a CPU whose raw
     * kernel is defective (and guarded) as well as one where even the guard fails (DOWN).
     */
    @Override
    public HealthCheckResponse call() {
        boolean loaded = model.isLoaded();
        KernelSelfCheck.Report kernels = KernelSelfCheck.last();
        boolean kernelsOk = kernels == null || kernels.ok();
        var b = HealthCheckResponse.named("rotationdrag-base-model").status(loaded && kernelsOk);
        if (loaded) {
            b.withData("model", model.id());
        }
        if (kernels != null) {
            b.withData("convGradients", kernels.status());
            b.withData("convGuardBlock", kernels.block());
            b.withData("rawConvKernelDefect", kernels.rawDefect());
            b.withData("convSelfCheck", kernels.summary());
        }
        return b.build();
    }
}
