package io.rotationdrag.edit;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The method of a drag job: a point-tracking strategy of the drag optimisation, or one of the region methods that turn
 * the part by its known transform instead ({@link #regionMethod()}); {@link #id()} is the name used in APIs and
 * messages.
 */
public enum TrackerKind {
    /** Template = features of the initial latent at the initial handle (DragDiffusion). */
    DRAGDIFFUSION("dragdiffusion"),
    /** Rotated template from a re-inversion of the rotated source image at every tracking step past the threshold. */
    ROTATIONDRAG("rotationdrag"),
    /** The same rotated templates computed once per angle bin and reused (ours, default). */
    ROTATIONDRAG_CACHED("rotationdrag-cached"),
    /**
     * FreeDrag as published (Ling et al., CVPR 2024, diffusion version): no point tracking; a virtual handle moved by a
     * line search with backtracking and an adaptively updated template ({@code drag.FreeDragOptimizer}).
     */
    FREEDRAG("freedrag"),
    /** DragDiffusion's loop with a template that is a running blend of the tracked features (not FreeDrag). */
    DRAGDIFFUSION_BLEND("dragdiffusion-blend"),
    /**
     * Region method: the part's pixels turned by the transform that takes the handle to its target, the uncovered
     * area repainted by blended latent diffusion (edit.RegionRotateStage). No drag optimisation.
     */
    ROTATE_PIXELS("rotate-pixels"),
    /**
     * Region method: the same transform applied to the inverted latent z_t inside the part, uncovered cells filled
     * by bilateral nearest-neighbour interpolation, then denoised with mutual self-attention control.
     */
    ROTATE_LATENT("rotate-latent");

    private final String id;

    TrackerKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public boolean rotationAware() {
        return this == ROTATIONDRAG || this == ROTATIONDRAG_CACHED;
    }

    /** Every id in declaration order, joined by {@code separator} (for usage texts and error messages). */
    public static String ids(String separator) {
        return Arrays.stream(values()).map(TrackerKind::id).collect(Collectors.joining(separator));
    }

    /** True for the methods that move the part by its transform instead of running the drag optimisation. */
    public boolean regionMethod() {
        return this == ROTATE_PIXELS || this == ROTATE_LATENT;
    }

    /** The point trackers of the drag optimisation (every kind that is not a region method). */
    public static java.util.List<TrackerKind> trackers() {
        return Arrays.stream(values()).filter(k -> !k.regionMethod()).toList();
    }

    /** Parses an id ("rotationdrag-cached") or enum name ("ROTATIONDRAG_CACHED"), case-insensitively. */
    public static TrackerKind fromId(String s) {
        if (s != null) {
            String k = s.trim().toLowerCase(Locale.ROOT);
            for (TrackerKind t : values()) {
                if (t.id.equals(k) || t.name().toLowerCase(Locale.ROOT).equals(k)) {
                    return t;
                }
            }
        }
        throw new EditValidationException("unknown method '" + s + "': expected one of " + ids(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
