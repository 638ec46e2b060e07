package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RotationDrag: when the handle has turned by more than the threshold about its axis, the template is the feature of
 * the source image rotated by that angle (about the image centre), taken at the initial handle rotated by the same
 * angle about the feature-map centre. Otherwise DragDiffusion's template.
 *
 * <p>Paper-faithful mode ({@code rotationdrag}) asks the {@link RotatedFeatureSource} for every such handle update,
 * as the reference re-inverts at every tracking step. Cached mode ({@code rotationdrag-cached}) rounds the angle to a
 * bin (width {@link TrackerConfig#angleBinDegrees()}, the bin centre angle is used), computes each bin's features once,
 * keeps only the template vectors of all handles for that bin, and reuses them; its cost grows with the number of
 * distinct bins visited, not the number of steps. (How a bin's features are made, by re-inversion or in one step, is
 * the source's business; see {@code edit.CachedTemplateSource}.) No snapping to an already computed neighbour bin: a
 * bin costs one UNet forward with one-step templates, so the bin width alone bounds the angle error (bin / 2).
 *
 * <p>The template vector is read bilinearly at the rotated (generally non-integral) initial handle. When that point
 * leaves the map (the content rotated out of the frame) the plain template is used and counted as a fallback.
 */
final class RotationDragTracker extends AbstractTracker {

    private static final Logger LOG = LoggerFactory.getLogger(RotationDragTracker.class);

    private final boolean cached;
    private final List<Vec2> axes;
    private final RotatedFeatureSource source;
    private final Vec2 featureCentre;
    /** The sense in effect (the reference's under {@link Conventions#REFERENCE}). */
    private final AngleSense sense;
    /** bin centre angle (product sense, normalised) -> template per handle (null = rotated point out of map). */
    private final Map<Double, float[][]> cache = new HashMap<>();

    RotationDragTracker(TrackingSetup setup, TrackerConfig config, RotatedFeatureSource source, boolean cached,
                        Conventions conventions) {
        super(setup, config, conventions);
        if (setup.axes() == null) {
            throw new IllegalArgumentException("the rotation trackers need one rotation axis per handle");
        }
        if (source == null) {
            throw new IllegalArgumentException("the rotation trackers need a RotatedFeatureSource");
        }
        this.cached = cached;
        this.axes = setup.axes();
        this.source = source;
        this.featureCentre = this.conventions.pointRotationCentre(width, height);
        this.sense = this.conventions.angleSense(config.angleSense());
    }

    @Override
    public String id() {
        return cached ? PointTrackers.ROTATIONDRAG_CACHED : PointTrackers.ROTATIONDRAG;
    }

    /** Product-sense angle of handle i about its axis, in (-180, 180]. */
    double angle(int i, Vec2 current) {
        return RotationAxis.signedAngle(axes.get(i), initialHandles.get(i), current);
    }

    /** Number of distinct angle bins computed so far (cached mode). */
    int cachedBins() {
        return cache.size();
    }

    @Override
    protected float[] template(int i, Vec2 current, NDArray features) {
        double angle = angle(i, current);
        lastAngle = angle;
        if (Math.abs(angle) <= config.rotationThresholdDegrees()) {
            plainUses++;
            return initialTemplates[i];
        }
        float[] t = cached ? cachedTemplate(i, angle) : freshTemplate(i, angle);
        if (t == null) {
            outOfMapFallbacks++;
            plainUses++;
            return initialTemplates[i];
        }
        rotatedUses++;
        lastBranch = TrackRecord.Branch.ROTATED;
        return t;
    }

    private float[] freshTemplate(int i, double productAngle) {
        double applied = sense.fromProduct(productAngle);
        NDArray rotated = computeFeatures(applied);
        try {
            lastApplied = applied;
            lastTemplatePoint = Rotation.rotatePoint(initialHandles.get(i), featureCentre, applied);
            return templateAt(rotated, i, applied);
        } finally {
            rotated.close();
        }
    }

    private float[] cachedTemplate(int i, double productAngle) {
        double bin = config.angleBinDegrees();
        double centre = Rotation.normalizeDegrees(Math.round(productAngle / bin) * bin);
        // one key per rotation: -180 and 180 coincide after normalisation; tiny float noise is rounded away
        double key = Math.round(centre * 1e6) / 1e6;
        float[][] templates = cache.get(key);
        if (templates == null) {
            double applied = sense.fromProduct(key);
            NDArray rotated = computeFeatures(applied);
            try {
                templates = new float[initialHandles.size()][];
                for (int j = 0; j < templates.length; j++) {
                    templates[j] = templateAt(rotated, j, applied);
                }
            } finally {
                rotated.close();
            }
            cache.put(key, templates);
            LOG.debug("rotated templates for bin {} deg computed (bins so far: {})", key, cache.size());
        }
        lastApplied = sense.fromProduct(key);
        lastTemplatePoint = Rotation.rotatePoint(initialHandles.get(i), featureCentre, lastApplied);
        return templates[i];
    }

    private NDArray computeFeatures(double appliedDegrees) {
        featureComputations++;
        NDArray f = source.featuresForAngle(appliedDegrees);
        if (f == null) {
            throw new IllegalStateException("RotatedFeatureSource returned no features for " + appliedDegrees + " deg");
        }
        if (FeatureMap.width(f) != width || FeatureMap.height(f) != height || FeatureMap.channels(f) != channels) {
            f.close();
            throw new IllegalStateException("rotated features have shape " + f.getShape() + ", F0 has ["
                    + channels + ", " + height + ", " + width + "]");
        }
        return f;
    }

    /** Template of handle j in features of the source rotated by {@code appliedDegrees}; null when off the map. */
    private float[] templateAt(NDArray rotated, int j, double appliedDegrees) {
        Vec2 p = Rotation.rotatePoint(initialHandles.get(j), featureCentre, appliedDegrees);
        float[] t = conventions.readTemplate(rotated, p);
        if (t == null) {
            LOG.info("handle {}: initial point rotated by {} deg lands at {}, outside the {}x{} feature map; "
                    + "using the plain template", j, appliedDegrees, p, width, height);
            return null;
        }
        return t;
    }
}
