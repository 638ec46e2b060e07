package io.rotationdrag.eval;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What one edit is evaluated on.
 *
 * @param input       the image the user edited
 * @param mask        editable region; null or empty = no mask drawn (everything editable)
 * @param result      the edited image (same size as the input)
 * @param points      the edit's pairs in input pixels (handle == target marks a rotation axis)
 * @param prompt      the sample's prompt (DIFT conditions on it)
 * @param groundTruth the expected edit (synthetic benchmark) or null
 * @param tracking    how the drag optimisation went, or null when unknown
 * @param trackingAbsentReason why {@code tracking} is null (required then)
 * @param stageWallMs wall time per job step (LORA, INVERT, DRAG, DENOISE, ...) from the stage records, reported
 *                    as {@code wall_s_<step>} unless {@code tracking} carries its own; null = none
 */
public record EvalInput(BufferedImage input, PixelMask mask, BufferedImage result, List<HandleTarget> points,
                        String prompt, BufferedImage groundTruth, TrackingQuality tracking,
                        String trackingAbsentReason, java.util.Map<String, Long> stageWallMs) {
    public EvalInput {
        if (input == null || result == null) {
            throw new IllegalArgumentException("evaluation needs the input and the result image");
        }
        if (input.getWidth() != result.getWidth() || input.getHeight() != result.getHeight()) {
            throw new IllegalArgumentException("result is " + result.getWidth() + "x" + result.getHeight()
                    + " but the input is " + input.getWidth() + "x" + input.getHeight());
        }
        if (points == null || points.isEmpty()) {
            throw new IllegalArgumentException("evaluation needs at least one handle/target pair");
        }
        points = List.copyOf(points);
        prompt = prompt == null ? "" : prompt;
        stageWallMs = stageWallMs == null ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stageWallMs));
        if (tracking == null && (trackingAbsentReason == null || trackingAbsentReason.isBlank())) {
            throw new IllegalArgumentException("tracking quality is absent: give the reason");
        }
    }
}
