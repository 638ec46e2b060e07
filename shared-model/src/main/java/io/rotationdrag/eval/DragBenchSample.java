package io.rotationdrag.eval;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One DragBench-format sample.
 *
 * @param category    DragBench category folder (e.g. {@code animals}); empty for a flat dataset
 * @param name        sample folder name
 * @param image       {@code original_image.png}
 * @param mask        editable region (any non-zero mask value); empty when no mask was drawn
 * @param points      pairs in order; {@link HandleTarget#isRotationAxis()} marks user axes
 * @param prompt      text prompt ("" when none)
 * @param groundTruth {@code ground_truth.png} for synthetic sets, else {@code null}
 * @param dragSteps   the reference UI's {@code pix_step} when the sample came from {@code config.json}, else null
 * @param rotationDeg the scene's true rotation angle in degrees when known ({@code sample.json}'s
 *                    {@code angle_deg} from the synthetic benchmark, positive = counter-clockwise on screen),
 *                    else null
 */
public record DragBenchSample(String category, String name, BufferedImage image, PixelMask mask,
                              List<HandleTarget> points, String prompt, BufferedImage groundTruth,
                              Integer dragSteps, Double rotationDeg) {

    public DragBenchSample {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("sample name is required");
        }
        category = category == null ? "" : category;
        prompt = prompt == null ? "" : prompt;
        if (image == null) {
            throw new IllegalArgumentException("sample " + name + ": image is required");
        }
        if (mask == null) {
            mask = PixelMask.filled(image.getWidth(), image.getHeight(), false);
        }
        if (mask.width() != image.getWidth() || mask.height() != image.getHeight()) {
            throw new IllegalArgumentException("sample " + name + ": mask is " + mask.width() + "x" + mask.height()
                    + " but the image is " + image.getWidth() + "x" + image.getHeight());
        }
        if (points == null || points.isEmpty()) {
            throw new IllegalArgumentException("sample " + name + ": at least one handle/target pair is required");
        }
        points = List.copyOf(points);
        if (groundTruth != null && (groundTruth.getWidth() != image.getWidth()
                || groundTruth.getHeight() != image.getHeight())) {
            throw new IllegalArgumentException("sample " + name + ": ground truth size differs from the image");
        }
    }

    /** {@code category/name}, or {@code name} for a flat dataset. */
    public String id() {
        return category.isEmpty() ? name : category + "/" + name;
    }

    /** DragBench stores an all-zero mask when none was drawn: then the whole image is editable. */
    public boolean maskDrawn() {
        return !mask.isEmpty();
    }

    public DragBenchSample(String category, String name, BufferedImage image, PixelMask mask,
                           List<HandleTarget> points, String prompt, BufferedImage groundTruth, Integer dragSteps) {
        this(category, name, image, mask, points, prompt, groundTruth, dragSteps, null);
    }

    /** Pairs that are real drags (handle != target). */
    public List<HandleTarget> drags() {
        return points.stream().filter(p -> !p.isRotationAxis()).toList();
    }
}
