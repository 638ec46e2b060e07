package io.rotationdrag.worker.lora;

import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.ProgressListener;
import io.rotationdrag.lora.LoraWeights;

/**
 * What the LoRA stage needs from the edit engine: {@code DragEditor.trainLora} on the warm base model, the
 * model's id (part of the cache key) and the model's sizes (to know the training size).
 */
public interface LoraEngine {
    String baseModelId();

    /** Working-size multiple and native size of the base model ({@code EditValidator.prepare}). */
    ModelGeometry geometry();

    LoraWeights train(EditRequest request, ProgressListener progress, Cancellation cancellation);
}
