package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The small numeric conventions in which the product and the public RotationDrag/DragDiffusion reference code differ
 * (docs/architecture.md, "Drag conventions"). {@link #PRODUCT} is the default; {@link #REFERENCE} reproduces the
 * reference step by step (the parity tests against {@code golden/drag-reference-a} run with it).
 *
 * <pre>
 *                        PRODUCT                                   REFERENCE
 *   point -> cell        round((x + 0.5) s - 0.5), centres aligned rint(x s) (torch.round, half to even)
 *   axis -> cell         continuous (x + 0.5) s - 0.5              rounded as the points
 *   point rotation centre ((w - 1) / 2, (h - 1) / 2)               (h / 2, h / 2) (the sup-map height, both axes)
 *   template read        bilinear at the rotated point             F[int(y), int(x)] (truncation)
 *   rotated-image fill   grey 128 (0x808080)                       0.0 in [-1, 1] (= 127.5)
 *   angle sense          {@code DragOptions.angleSense} (PRODUCT)  {@link AngleSense#REFERENCE}
 *   latent mask          any painted pixel of the cell's block     nearest: the block's top-left pixel
 * </pre>
 * s = feature cells per image pixel.
 */
public enum Conventions {
    PRODUCT,
    REFERENCE;

    /** {@link Rotation#GREY_RGB} (128) in the image tensor's units, u8 / 127.5 - 1. */
    private static final float GREY_TENSOR = 128f / 127.5f - 1f;

    /** Image pixel position to the feature cell a handle or target starts on (clamped into the map). */
    public Vec2 toFeatureCell(FeatureGrid grid, Vec2 image) {
        if (this == PRODUCT) {
            return grid.toFeatureCell(image);
        }
        return new Vec2(Math.rint(image.x() * grid.scaleX()), Math.rint(image.y() * grid.scaleY()))
                .clamp(grid.featureWidth(), grid.featureHeight());
    }

    /** Image pixel position of a rotation axis to feature coordinates. */
    public Vec2 axisToFeature(FeatureGrid grid, Vec2 image) {
        return this == PRODUCT ? grid.toFeature(image) : toFeatureCell(grid, image);
    }

    /** Centre about which the initial handle is turned to read the rotated template, on a w x h feature map. */
    public Vec2 pointRotationCentre(int width, int height) {
        return this == PRODUCT ? Rotation.centre(width, height) : new Vec2(height / 2.0, height / 2.0);
    }

    /** The angle sense in effect: the reference's own under {@link #REFERENCE}, else the configured one. */
    public AngleSense angleSense(AngleSense configured) {
        return this == REFERENCE ? AngleSense.REFERENCE : configured;
    }

    /** Fill value of uncovered pixels of the rotated source, in the image tensor's [-1, 1] units. */
    public float rotatedFill() {
        return this == PRODUCT ? GREY_TENSOR : 0f;
    }

    /**
     * The template vector at a (generally non-integral) point of a feature map: bilinear ({@link #PRODUCT}) or the
     * cell at the truncated coordinates ({@link #REFERENCE}); null when the point lies outside the map.
     */
    public float[] readTemplate(NDArray features, Vec2 p) {
        int w = FeatureMap.width(features);
        int h = FeatureMap.height(features);
        if (this == PRODUCT) {
            return p.inside(w, h) ? FeatureMap.vector(features, p) : null;
        }
        if (!(p.x() >= 0 && p.y() >= 0 && (int) p.x() < w && (int) p.y() < h)) {
            return null;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray f = FeatureMap.chw(features);
            return f.get(new NDIndex(":, {}, {}", (int) p.y(), (int) p.x())).stopGradient()
                    .toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** The editable latent cells of an image mask (1 = editable), w x h latent. */
    public BinaryMask latentMask(BinaryMask imageMask, FeatureGrid grid, int latentWidth, int latentHeight) {
        if (this == REFERENCE) {
            // the reference resizes the mask (nearest) to the sup map, then again (nearest) to the latent
            return imageMask.resizeNearest(grid.featureWidth(), grid.featureHeight())
                    .resizeNearest(latentWidth, latentHeight);
        }
        return imageMask.resizeAny(latentWidth, latentHeight);
    }
}
