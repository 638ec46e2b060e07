package io.rotationdrag.edit;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The drag method of a job (its tracking strategy); {@link #id()} is the name used in APIs and messages. */
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
    DRAGDIFFUSION_BLEND("dragdiffusion-blend");

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
