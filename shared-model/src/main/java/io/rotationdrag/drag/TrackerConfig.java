package io.rotationdrag.drag;

/**
 * Settings of the point trackers.
 *
 * @param searchRadius             r_p: the search window is (2 r_p + 1)^2 cells around the current handle (3)
 * @param rotationThresholdDegrees RotationDrag uses the rotated template only when |angle| exceeds this (5)
 * @param angleBinDegrees          bin width of {@code rotationdrag-cached}; the bin centre angle is used (5)
 * @param angleSense               sign of the rotation applied to the source ({@link AngleSense#PRODUCT})
 * @param freeDragMaxLambda        FreeDrag: largest blend weight of the current feature into the template (0.5)
 * @param freeDragAlpha            FreeDrag: steepness of the reliability sigmoid (10)
 * @param freeDragBeta             FreeDrag: relative match error at which the weight halves (0.5)
 */
public record TrackerConfig(int searchRadius, double rotationThresholdDegrees, double angleBinDegrees,
                            AngleSense angleSense, double freeDragMaxLambda, double freeDragAlpha,
                            double freeDragBeta) {

    public TrackerConfig {
        if (searchRadius < 0) {
            throw new IllegalArgumentException("searchRadius must be >= 0, got " + searchRadius);
        }
        if (!(rotationThresholdDegrees >= 0) || rotationThresholdDegrees >= 180) {
            throw new IllegalArgumentException("rotationThresholdDegrees must be in [0, 180), got "
                    + rotationThresholdDegrees);
        }
        if (!(angleBinDegrees > 0) || angleBinDegrees > 90) {
            throw new IllegalArgumentException("angleBinDegrees must be in (0, 90], got " + angleBinDegrees);
        }
        if (angleSense == null) {
            throw new IllegalArgumentException("angleSense is required");
        }
        if (!(freeDragMaxLambda >= 0 && freeDragMaxLambda <= 1)) {
            throw new IllegalArgumentException("freeDragMaxLambda must be in [0, 1], got " + freeDragMaxLambda);
        }
        if (!(freeDragAlpha > 0) || !(freeDragBeta > 0)) {
            throw new IllegalArgumentException("freeDragAlpha and freeDragBeta must be positive");
        }
    }

    /** method.md defaults (r_p = 3, 5 degree threshold), 5 degree bins, product sign. */
    public static TrackerConfig defaults() {
        return new TrackerConfig(3, 5.0, 5.0, AngleSense.PRODUCT, 0.5, 10.0, 0.5);
    }

    public TrackerConfig withAngleSense(AngleSense sense) {
        return new TrackerConfig(searchRadius, rotationThresholdDegrees, angleBinDegrees, sense, freeDragMaxLambda,
                freeDragAlpha, freeDragBeta);
    }

    public TrackerConfig withAngleBinDegrees(double bin) {
        return new TrackerConfig(searchRadius, rotationThresholdDegrees, bin, angleSense, freeDragMaxLambda,
                freeDragAlpha, freeDragBeta);
    }

    public TrackerConfig withSearchRadius(int r) {
        return new TrackerConfig(r, rotationThresholdDegrees, angleBinDegrees, angleSense, freeDragMaxLambda,
                freeDragAlpha, freeDragBeta);
    }
}
