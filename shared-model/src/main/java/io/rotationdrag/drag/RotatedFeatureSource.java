package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;

/**
 * Supplies the UNet features of the <em>rotated source image</em>, which RotationDrag uses as the tracking template.
 *
 * <p>The edit stage implements it: rotate the source image by {@code degrees} about the image centre with
 * {@link Rotation#rotate(java.awt.image.BufferedImage, double, Rotation.Interpolation, int)} (positive =
 * counter-clockwise on screen), build its latent at the drag timestep t (the paper: DDIM-invert it with the same
 * settings as the source, n_actual + 1 UNet forwards per call; {@code rotationdrag-cached} by default: one-step
 * noising with the source's own implied noise, 1 UNet forward per call), run the UNet at t and return the features
 * resized to the same grid as F0. The trackers count the calls.
 */
@FunctionalInterface
public interface RotatedFeatureSource {

    /**
     * @param degrees rotation of the source image, counter-clockwise on screen, in (-180, 180]
     * @return features [C, h, w] or [1, C, h, w] on the F0 grid; the caller (a tracker) reads a few vectors from it
     *     and then closes it
     */
    NDArray featuresForAngle(double degrees);
}
