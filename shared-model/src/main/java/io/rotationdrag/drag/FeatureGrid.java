package io.rotationdrag.drag;

/**
 * Maps points between an image of {@code imageWidth x imageHeight} pixels and a feature map of
 * {@code featureWidth x featureHeight} cells that covers the same area (the reference resizes the UNet features to
 * half the image size, e.g. 512 -> 256, so scale 0.5).
 *
 * <p>Pixel centres are aligned: a feature cell covers {@code 1/scale} image pixels, so
 * {@code f = (x + 0.5) * scale - 0.5} and {@code x = (f + 0.5) / scale - 0.5}. With this mapping the image centre
 * ((W-1)/2, (H-1)/2) maps exactly to the feature-map centre ((w-1)/2, (h-1)/2), so rotating the image about its centre
 * corresponds to rotating feature positions about the feature-map centre. (The reference uses {@code f = x * scale}
 * and rounds; the two differ by a quarter feature cell at scale 0.5.)
 */
public record FeatureGrid(int imageWidth, int imageHeight, int featureWidth, int featureHeight) {

    public FeatureGrid {
        if (imageWidth <= 0 || imageHeight <= 0 || featureWidth <= 0 || featureHeight <= 0) {
            throw new IllegalArgumentException("grid sizes must be positive: image " + imageWidth + "x" + imageHeight
                    + ", features " + featureWidth + "x" + featureHeight);
        }
    }

    /** The reference layout: features at {@code scale} times the image size (0.5 in DragDiffusion/RotationDrag). */
    public static FeatureGrid scaled(int imageWidth, int imageHeight, double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("feature scale must be positive, got " + scale);
        }
        return new FeatureGrid(imageWidth, imageHeight, (int) Math.round(imageWidth * scale),
                (int) Math.round(imageHeight * scale));
    }

    /**
     * The grid rule of the drag features: {@code perLatent} cells per latent cell along each side (4). The reference
     * resizes the features to half the image, which on SD 1.5 (VAE factor 8) is 4x the latent; defining the grid
     * relative to the latent keeps r_p, r_m, the step d and the stop distance at the reference's latent extent on
     * models with another VAE factor (the embedded model: factor 4, so its grid is the image size).
     */
    public static FeatureGrid ofLatent(int imageWidth, int imageHeight, int latentWidth, int latentHeight,
                                       double perLatent) {
        if (!(perLatent > 0) || latentWidth <= 0 || latentHeight <= 0) {
            throw new IllegalArgumentException("features per latent cell must be positive, got " + perLatent
                    + " (latent " + latentWidth + "x" + latentHeight + ")");
        }
        return new FeatureGrid(imageWidth, imageHeight, (int) Math.round(latentWidth * perLatent),
                (int) Math.round(latentHeight * perLatent));
    }

    public double scaleX() {
        return (double) featureWidth / imageWidth;
    }

    public double scaleY() {
        return (double) featureHeight / imageHeight;
    }

    /** Image pixel position to (continuous) feature position. */
    public Vec2 toFeature(Vec2 image) {
        return new Vec2((image.x() + 0.5) * scaleX() - 0.5, (image.y() + 0.5) * scaleY() - 0.5);
    }

    /** Image position to the nearest feature cell, clamped into the map (the handles the trackers work on). */
    public Vec2 toFeatureCell(Vec2 image) {
        return toFeature(image).rounded().clamp(featureWidth, featureHeight);
    }

    /** Feature position back to image pixels. */
    public Vec2 toImage(Vec2 feature) {
        return new Vec2((feature.x() + 0.5) / scaleX() - 0.5, (feature.y() + 0.5) / scaleY() - 0.5);
    }

    public Vec2 featureCentre() {
        return Rotation.centre(featureWidth, featureHeight);
    }
}
