package io.rotationdrag.drag;

import java.util.List;

/**
 * Creates point trackers by id: the strategies of the {@link DragOptimizer} loop. {@code freedrag} is not among them: it
 * has no point tracking and runs in {@link FreeDragOptimizer}.
 */
public final class PointTrackers {

    public static final String DRAGDIFFUSION = "dragdiffusion";
    public static final String ROTATIONDRAG = "rotationdrag";
    public static final String ROTATIONDRAG_CACHED = "rotationdrag-cached";
    /** DragDiffusion with a blended template ({@link BlendedTemplateTracker}); FreeDrag itself is not a point tracker. */
    public static final String DRAGDIFFUSION_BLEND = "dragdiffusion-blend";
    /** All ids; {@link #DEFAULT} is the product default. */
    public static final List<String> IDS = List.of(DRAGDIFFUSION, ROTATIONDRAG, ROTATIONDRAG_CACHED, DRAGDIFFUSION_BLEND);
    public static final String DEFAULT = ROTATIONDRAG_CACHED;

    private PointTrackers() {
    }

    /** True for the ids whose tracker needs axes and a {@link RotatedFeatureSource}. */
    public static boolean isRotationAware(String id) {
        return ROTATIONDRAG.equals(id) || ROTATIONDRAG_CACHED.equals(id);
    }

    /**
     * @param id     one of {@link #IDS}
     * @param setup  F0, initial handles and (for the rotation trackers) axes, in feature cells
     * @param config tracker settings
     * @param source rotated-source features (required by the rotation trackers, ignored by the others)
     */
    public static PointTracker create(String id, TrackingSetup setup, TrackerConfig config,
                                      RotatedFeatureSource source) {
        return create(id, setup, config, source, Conventions.PRODUCT);
    }

    /** As {@link #create(String, TrackingSetup, TrackerConfig, RotatedFeatureSource)} under the given conventions. */
    public static PointTracker create(String id, TrackingSetup setup, TrackerConfig config,
                                      RotatedFeatureSource source, Conventions conventions) {
        if (id == null) {
            throw new IllegalArgumentException("tracker id is required, one of " + IDS);
        }
        return switch (id) {
            case DRAGDIFFUSION -> new DragDiffusionTracker(setup, config);
            case ROTATIONDRAG -> new RotationDragTracker(setup, config, source, false, conventions);
            case ROTATIONDRAG_CACHED -> new RotationDragTracker(setup, config, source, true, conventions);
            case DRAGDIFFUSION_BLEND -> new BlendedTemplateTracker(setup, config);
            default -> throw new IllegalArgumentException("unknown tracker '" + id + "', expected one of " + IDS);
        };
    }
}
