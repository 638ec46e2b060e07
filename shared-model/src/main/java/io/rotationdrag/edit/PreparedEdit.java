package io.rotationdrag.edit;

import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.Vec2;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A validated request mapped to the working resolution the model runs at.
 *
 * @param input       the input image as RGB, original size
 * @param work        the input resized (bilinear) to {@code workWidth x workHeight}
 * @param mask        editable region at the working size; null when no mask was drawn (absent or empty)
 * @param handles     drag handles in working pixels
 * @param targets     their targets in working pixels
 * @param axes        user rotation axes in working pixels
 * @param prompt      prompt, never null
 * @param options     the edit options
 */
public record PreparedEdit(BufferedImage input, BufferedImage work, BinaryMask mask, List<Vec2> handles,
                           List<Vec2> targets, List<Vec2> axes, String prompt, EditOptions options) {

    public int inputWidth() {
        return input.getWidth();
    }

    public int inputHeight() {
        return input.getHeight();
    }

    public int workWidth() {
        return work.getWidth();
    }

    public int workHeight() {
        return work.getHeight();
    }

    public boolean maskDrawn() {
        return mask != null;
    }

    /** Working pixels to input pixels (pixel centres aligned). */
    public Vec2 toInput(Vec2 p) {
        return new Vec2((p.x() + 0.5) * inputWidth() / workWidth() - 0.5,
                (p.y() + 0.5) * inputHeight() / workHeight() - 0.5);
    }

    /** Input pixels to working pixels. */
    public Vec2 toWork(double x, double y) {
        return new Vec2((x + 0.5) * workWidth() / inputWidth() - 0.5, (y + 0.5) * workHeight() / inputHeight() - 0.5);
    }
}
