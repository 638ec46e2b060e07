package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;

/**
 * {@code dragdiffusion-blend}: DragDiffusion's point tracking with a template that is a running blend of the tracked
 * features, weighted by how reliable each match is. Not FreeDrag (that is {@link FreeDragOptimizer}: no point tracking,
 * a line search with backtracking and its own loss); this variant borrows only the idea of an adaptively updated
 * template and keeps everything else of the DragDiffusion loop, so it isolates the template's effect.
 *
 * <p>Rule: after the windowed search finds cell q with L1 distance D to the template T, the relative match error is
 * {@code e = (D / C) / mean|T0|} (mean absolute difference per channel relative to the mean magnitude of the initial
 * template T0, so the rule does not depend on the feature scale), the blend weight is
 * {@code lambda = lambdaMax / (1 + exp(alpha (e - beta)))} and {@code T <- (1 - lambda) T + lambda F(q)}. A reliable
 * match (small e) updates the template almost by lambdaMax ({@link TrackerConfig#DEFAULT_BLEND_MAX_LAMBDA}); an
 * unreliable one leaves it nearly unchanged.
 */
final class BlendedTemplateTracker extends AbstractTracker {

    private final float[][] templates;
    private final double[] initialScale;

    BlendedTemplateTracker(TrackingSetup setup, TrackerConfig config) {
        super(setup, config);
        templates = new float[initialTemplates.length][];
        initialScale = new double[initialTemplates.length];
        for (int i = 0; i < templates.length; i++) {
            templates[i] = initialTemplates[i].clone();
            double s = 0;
            for (float v : initialTemplates[i]) {
                s += Math.abs(v);
            }
            initialScale[i] = Math.max(s / channels, 1e-12);
        }
    }

    @Override
    public String id() {
        return PointTrackers.DRAGDIFFUSION_BLEND;
    }

    /** Copy of the current template of handle i. */
    float[] template(int i) {
        return templates[i].clone();
    }

    /** The blend weight used for a relative match error e. */
    double lambda(double relativeError) {
        return config.blendMaxLambda() / (1 + Math.exp(config.blendAlpha() * (relativeError - config.blendBeta())));
    }

    @Override
    protected float[] template(int i, Vec2 current, NDArray features) {
        plainUses++;
        return templates[i];
    }

    @Override
    protected void afterMatch(int i, FeatureMap.Match match, float[] usedTemplate, NDArray features) {
        double e = match.distance() / channels / initialScale[i];
        double lambda = lambda(e);
        float[] f = FeatureMap.vector(features, match.point());
        float[] t = templates[i];
        for (int c = 0; c < t.length; c++) {
            t[c] = (float) ((1 - lambda) * t[c] + lambda * f[c]);
        }
    }
}
