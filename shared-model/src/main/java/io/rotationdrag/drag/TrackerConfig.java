package io.rotationdrag.drag;

/**
 * Settings of the point trackers.
 *
 * @param searchRadius             r_p: the search window is (2 r_p + 1)^2 cells around the current handle (3)
 * @param rotationThresholdDegrees RotationDrag uses the rotated template only when |angle| exceeds this (5)
 * @param angleBinDegrees          bin width of {@code rotationdrag-cached}; the bin centre angle is used (5)
 * @param angleSense               sign of the rotation applied to the source ({@link AngleSense#PRODUCT})
 * @param blendMaxLambda           dragdiffusion-blend: largest blend weight of the matched feature into the template
 *                                 ({@link #DEFAULT_BLEND_MAX_LAMBDA})
 * @param blendAlpha               dragdiffusion-blend: steepness of the reliability sigmoid (10)
 * @param blendBeta                dragdiffusion-blend: relative match error at which the weight halves (0.5)
 */
public record TrackerConfig(int searchRadius, double rotationThresholdDegrees, double angleBinDegrees,
                            AngleSense angleSense, double blendMaxLambda, double blendAlpha,
                            double blendBeta) {

    /**
     * The one default of {@code dragdiffusion-blend}'s largest template weight, used by {@link #defaults()} and the
     * job options alike (0.3: the value every job has run with).
     */
    public static final double DEFAULT_BLEND_MAX_LAMBDA = 0.3;

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
        if (!(blendMaxLambda >= 0 && blendMaxLambda <= 1)) {
            throw new IllegalArgumentException("blendMaxLambda must be in [0, 1], got " + blendMaxLambda);
        }
        if (!(blendAlpha > 0) || !(blendBeta > 0)) {
            throw new IllegalArgumentException("blendAlpha and blendBeta must be positive");
        }
    }

    /** method.md defaults (r_p = 3, 5 degree threshold), 5 degree bins, product sign, blend 0.3 / 10 / 0.5. */
    public static TrackerConfig defaults() {
        return new TrackerConfig(3, 5.0, 5.0, AngleSense.PRODUCT, DEFAULT_BLEND_MAX_LAMBDA, 10.0, 0.5);
    }

    public TrackerConfig withAngleSense(AngleSense sense) {
        return new TrackerConfig(searchRadius, rotationThresholdDegrees, angleBinDegrees, sense, blendMaxLambda,
                blendAlpha, blendBeta);
    }

    public TrackerConfig withAngleBinDegrees(double bin) {
        return new TrackerConfig(searchRadius, rotationThresholdDegrees, bin, angleSense, blendMaxLambda,
                blendAlpha, blendBeta);
    }

    public TrackerConfig withSearchRadius(int r) {
        return new TrackerConfig(r, rotationThresholdDegrees, angleBinDegrees, angleSense, blendMaxLambda,
                blendAlpha, blendBeta);
    }
}
