package io.rotationdrag.worker.lora;

import io.quarkus.runtime.StartupEvent;
import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.DragEditor;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.ProgressListener;
import io.rotationdrag.lora.LoraWeights;
import io.rotationdrag.service.model.BaseModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * {@link LoraEngine} on the edit engine's {@link DragEditor} over the process's warm base model. The model is
 * loaded at start-up (a missing model stops the process with the reason); engine calls are serialised because
 * the editor attaches the job's LoRA to the one shared UNet.
 */
@ApplicationScoped
public class EditorLoraEngine implements LoraEngine {
    @Inject
    BaseModel model;

    /** Loads the model and makes the editor at start-up, so the first job does not wait (and a missing model
     *  stops the process with the reason). */
    void warm(@Observes StartupEvent ev) {
        editor();
    }

    private DragEditor editor() {
        return model.editor();
    }

    @Override
    public String baseModelId() {
        return model.id();
    }

    @Override
    public ModelGeometry geometry() {
        return editor().geometry();
    }

    @Override
    public synchronized LoraWeights train(EditRequest r, ProgressListener p, Cancellation c) {
        return editor().trainLora(r, p, c);
    }
}
