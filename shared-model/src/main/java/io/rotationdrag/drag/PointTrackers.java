package io.rotationdrag.drag;

import java.util.List;

/** Creates point trackers by id. */
public final class PointTrackers {

    public static final String DRAGDIFFUSION = "dragdiffusion";
    public static final String ROTATIONDRAG = "rotationdrag";
    public static final String ROTATIONDRAG_CACHED = "rotationdrag-cached";
    public static final String FREEDRAG = "freedrag";
    /** All ids; {@link #DEFAULT} is the product default. */
    public static final List<String> IDS = List.of(DRAGDIFFUSION, ROTATIONDRAG, ROTATIONDRAG_CACHED, FREEDRAG);
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
            case FREEDRAG -> new FreeDragTracker(setup, config);
            default -> throw new IllegalArgumentException("unknown tracker '" + id + "', expected one of " + IDS);
        };
    }
}
