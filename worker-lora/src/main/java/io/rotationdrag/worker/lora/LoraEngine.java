package io.rotationdrag.worker.lora;

import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.ProgressListener;
import io.rotationdrag.lora.LoraWeights;

/**
 * What the LoRA stage needs from the edit engine: {@code DragEditor.trainLora} on the warm base model, the
 * model's id (part of the cache key) and the size multiple the UNet accepts (to know the training size).
 */
public interface LoraEngine {
    String baseModelId();

    /** Working width/height are rounded to a multiple of this ({@code EditValidator.prepare}). */
    int sizeMultiple();

    LoraWeights train(EditRequest request, ProgressListener progress, Cancellation cancellation);
}
