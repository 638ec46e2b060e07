package io.rotationdrag.worker.drag;

import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.ProgressListener;

import java.awt.image.BufferedImage;

/**
 * What the DRAG stage needs from the edit engine: {@code DragEditor.invert / drag / denoise} on the warm base model,
 * with the stage artefacts in their serialised form ({@code Inversion.toBytes()}, {@code DragOutcome.toBytes()},
 * LoRA safetensors), exactly as they are stored. {@code lora} is null when the job has LoRA disabled.
 */
public interface DragEngine {
    byte[] invert(EditRequest request, byte[] lora, ProgressListener progress, Cancellation cancellation);

    DragResult drag(EditRequest request, byte[] lora, byte[] inversion, ProgressListener progress,
                    Cancellation cancellation);

    BufferedImage denoise(EditRequest request, byte[] lora, byte[] inversion, byte[] dragOutcome,
                          ProgressListener progress, Cancellation cancellation);
}
