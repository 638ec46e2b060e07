package io.rotationdrag.edit;

import io.rotationdrag.lora.LoraWeights;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one {@link DragEditor#edit} produced.
 *
 * @param image          the edited image at the input size
 * @param lora           the trained LoRA, or null when LoRA was disabled
 * @param inversion      the invert stage's artefact
 * @param outcome        the drag stage's artefact
 * @param stageWallMs    wall time per stage ({@link ProgressEvent#LORA}, INVERT, DRAG, DENOISE), milliseconds
 * @param stageForwards  UNet forward calls per stage (a batched call counts once)
 * @param stageBackwards UNet backward passes per stage
 */
public record EditResult(BufferedImage image, LoraWeights lora, Inversion inversion, DragOutcome outcome,
                         Map<String, Long> stageWallMs, Map<String, Long> stageForwards,
                         Map<String, Long> stageBackwards) {

    public EditResult {
        stageWallMs = Map.copyOf(new LinkedHashMap<>(stageWallMs));
        stageForwards = Map.copyOf(new LinkedHashMap<>(stageForwards));
        stageBackwards = Map.copyOf(new LinkedHashMap<>(stageBackwards));
    }

    public long unetForwards() {
        return stageForwards.values().stream().mapToLong(Long::longValue).sum();
    }

    public long unetBackwards() {
        return stageBackwards.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalWallMs() {
        return stageWallMs.values().stream().mapToLong(Long::longValue).sum();
    }
}
