package io.rotationdrag.worker.drag;

import io.rotationdrag.service.model.BaseModelReadiness;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the warm base model is loaded (the engine loads it at start-up). */
@Readiness
@ApplicationScoped
public class ModelReadiness extends BaseModelReadiness {
}
