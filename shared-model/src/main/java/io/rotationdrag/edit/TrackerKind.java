package io.rotationdrag.edit;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The point-tracking strategy of a drag job; {@link #id()} is the name used in APIs and messages. */
public enum TrackerKind {
    /** Template = features of the initial latent at the initial handle (DragDiffusion). */
    DRAGDIFFUSION("dragdiffusion"),
    /** Rotated template from a re-inversion of the rotated source image at every tracking step past the threshold. */
    ROTATIONDRAG("rotationdrag"),
    /** The same rotated templates computed once per angle bin and reused (ours, default). */
    ROTATIONDRAG_CACHED("rotationdrag-cached"),
    /** Template as a running blend of tracked features (FreeDrag baseline in diffusion form). */
    FREEDRAG("freedrag");

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
        throw new EditValidationException("unknown method '" + s + "': expected one of "
                + Arrays.stream(values()).map(TrackerKind::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
