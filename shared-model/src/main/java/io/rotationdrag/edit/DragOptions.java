package io.rotationdrag.edit;

import io.rotationdrag.drag.AngleSense;
import io.rotationdrag.drag.Conventions;
import io.rotationdrag.drag.TrackerConfig;

/**
 * Drag optimisation and tracking settings (method.md stage 3).
 *
 * @param learningRate         Adam lr on the latent (0.01)
 * @param maxSteps             optimisation steps at most (80 in the reference UI, 160 in the paper)
 * @param trackRadius          r_p: the tracking window is (2 r_p + 1)^2 feature cells (3)
 * @param supervisionRadius    r_m: motion-supervision patch radius (1)
 * @param maskLambda           lam of the mask term (0.1)
 * @param maskTerm             when the mask term applies
 * @param featuresPerLatent    feature cells per latent cell along each side (4): the feature grid is this multiple of
 *                             the LATENT, so r_p, r_m, the step d and the stop distance mean the same latent extent on
 *                             every model (the reference's half-image grid is 4x SD 1.5's latent: VAE factor 8; the
 *                             embedded model, VAE factor 4, gets 4x its latent = the image size)
 * @param stopDistance         stop when every handle is closer than this to its target, in feature cells (2)
 * @param angleThresholdDeg    RotationDrag: rotated template only when |angle| exceeds this (5 degrees)
 * @param angleBinDeg          rotationdrag-cached: angles are rounded to multiples of this, one template per bin (5)
 * @param angleSense           sign convention of the rotation (PRODUCT: rotate the source the way the handle moved;
 *                             REFERENCE reproduces the reference's opposite sense)
 * @param templateBlend        dragdiffusion-blend: the largest weight b of the matched feature in the running template,
 *                             T <- (1 - lambda) T + lambda F(q), lambda &lt;= b by match reliability
 *                             ({@link TrackerConfig#DEFAULT_BLEND_MAX_LAMBDA}); unused by the other methods
 * @param cachedTemplateSource rotationdrag-cached: how a bin's rotated latent is built ({@link CachedTemplateSource};
 *                             ONE_STEP = 1 UNet forward per bin, REINVERT = n_actual + 1); rotationdrag always
 *                             re-inverts
 * @param conventions          {@link Conventions#PRODUCT} (default) or the reference code's point rounding, axis,
 *                             rotation centre, template read, fill, angle sense and mask sampling
 */
public record DragOptions(double learningRate, int maxSteps, int trackRadius, int supervisionRadius,
                          double maskLambda, MaskTerm maskTerm, double featuresPerLatent, double stopDistance,
                          double angleThresholdDeg, double angleBinDeg, AngleSense angleSense, double templateBlend,
                          CachedTemplateSource cachedTemplateSource, Conventions conventions) {

    /** Without {@code conventions}: {@link Conventions#PRODUCT}. */
    public DragOptions(double learningRate, int maxSteps, int trackRadius, int supervisionRadius, double maskLambda,
                       MaskTerm maskTerm, double featuresPerLatent, double stopDistance, double angleThresholdDeg,
                       double angleBinDeg, AngleSense angleSense, double templateBlend,
                       CachedTemplateSource cachedTemplateSource) {
        this(learningRate, maxSteps, trackRadius, supervisionRadius, maskLambda, maskTerm, featuresPerLatent,
                stopDistance, angleThresholdDeg, angleBinDeg, angleSense, templateBlend, cachedTemplateSource,
                Conventions.PRODUCT);
    }

    public DragOptions {
        if (conventions == null) {
            conventions = Conventions.PRODUCT;
        }
        if (maskTerm == null) {
            maskTerm = MaskTerm.WHEN_MASK_DRAWN;
        }
        if (angleSense == null) {
            angleSense = AngleSense.PRODUCT;
        }
        if (cachedTemplateSource == null) {
            cachedTemplateSource = CachedTemplateSource.ONE_STEP;
        }
        if (!(learningRate > 0) || maxSteps < 0 || trackRadius < 0 || supervisionRadius < 0 || maskLambda < 0
                || !(featuresPerLatent > 0) || featuresPerLatent > 16 || stopDistance < 0 || angleThresholdDeg < 0
                || !(angleBinDeg > 0) || templateBlend < 0 || templateBlend > 1) {
            throw new IllegalArgumentException("invalid drag settings: " + this);
        }
    }

    /**
     * The RotationDrag UI: 80 steps, mask term only with a drawn mask (see {@link MaskTerm}); rotationdrag-cached with
     * one-step templates in 5 degree bins (the threshold's width: at most 2.5 degrees off, 1 UNet forward per bin).
     */
    public static DragOptions defaults() {
        return new DragOptions(0.01, 80, 3, 1, 0.1, MaskTerm.WHEN_MASK_DRAWN, 4.0, 2.0, 5.0, 5.0, AngleSense.PRODUCT,
                TrackerConfig.DEFAULT_BLEND_MAX_LAMBDA, CachedTemplateSource.ONE_STEP);
    }

    /** The paper: up to 160 steps, the mask term always on (as the reference code applies it). */
    public static DragOptions paper() {
        return defaults().withMaxSteps(160).withMaskTerm(MaskTerm.ALWAYS);
    }

    public DragOptions withMaxSteps(int s) {
        return new DragOptions(learningRate, s, trackRadius, supervisionRadius, maskLambda, maskTerm, featuresPerLatent,
                stopDistance, angleThresholdDeg, angleBinDeg, angleSense, templateBlend, cachedTemplateSource,
                conventions);
    }

    public DragOptions withMaskTerm(MaskTerm m) {
        return new DragOptions(learningRate, maxSteps, trackRadius, supervisionRadius, maskLambda, m, featuresPerLatent,
                stopDistance, angleThresholdDeg, angleBinDeg, angleSense, templateBlend, cachedTemplateSource,
                conventions);
    }

    public DragOptions withLearningRate(double lr) {
        return new DragOptions(lr, maxSteps, trackRadius, supervisionRadius, maskLambda, maskTerm, featuresPerLatent,
                stopDistance, angleThresholdDeg, angleBinDeg, angleSense, templateBlend, cachedTemplateSource,
                conventions);
    }

    public DragOptions withAngleBinDeg(double b) {
        return new DragOptions(learningRate, maxSteps, trackRadius, supervisionRadius, maskLambda, maskTerm,
                featuresPerLatent, stopDistance, angleThresholdDeg, b, angleSense, templateBlend, cachedTemplateSource,
                conventions);
    }

    public DragOptions withAngleThresholdDeg(double t) {
        return new DragOptions(learningRate, maxSteps, trackRadius, supervisionRadius, maskLambda, maskTerm,
                featuresPerLatent, stopDistance, t, angleBinDeg, angleSense, templateBlend, cachedTemplateSource,
                conventions);
    }

    public DragOptions withAngleSense(AngleSense s) {
        return new DragOptions(learningRate, maxSteps, trackRadius, supervisionRadius, maskLambda, maskTerm,
                featuresPerLatent, stopDistance, angleThresholdDeg, angleBinDeg, s, templateBlend, cachedTemplateSource,
                conventions);
    }

    public DragOptions withStopDistance(double d) {
        return new DragOptions(learningRate, maxSteps, trackRadius, supervisionRadius, maskLambda, maskTerm,
                featuresPerLatent, d, angleThresholdDeg, angleBinDeg, angleSense, templateBlend, cachedTemplateSource,
                conventions);
    }

    public DragOptions withCachedTemplateSource(CachedTemplateSource c) {
        return new DragOptions(learningRate, maxSteps, trackRadius, supervisionRadius, maskLambda, maskTerm,
                featuresPerLatent, stopDistance, angleThresholdDeg, angleBinDeg, angleSense, templateBlend, c,
                conventions);
    }

    public DragOptions withConventions(Conventions c) {
        return new DragOptions(learningRate, maxSteps, trackRadius, supervisionRadius, maskLambda, maskTerm,
                featuresPerLatent, stopDistance, angleThresholdDeg, angleBinDeg, angleSense, templateBlend,
                cachedTemplateSource, c);
    }
}
