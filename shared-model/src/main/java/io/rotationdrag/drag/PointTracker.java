package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Relocates the handles on the features of the updated latent: for each handle, the cell of a (2 r_p + 1)^2 window
 * around the current handle (clamped to the map) whose feature vector is nearest in L1 to the handle's template. The
 * strategies differ only in the template. Handles are feature cells, integral and inside the map.
 *
 * <p>Not thread-safe; one tracker per drag run. Create with {@link PointTrackers#create}.
 */
public interface PointTracker {

    /** The strategy id: one of {@link PointTrackers#IDS}. */
    String id();

    /**
     * @param features       F(z) of the current latent, [C, h, w] or [1, C, h, w] (read without gradient)
     * @param currentHandles handle positions before this update, one per initial handle
     * @return the new handle positions, in the same order
     */
    List<Vec2> track(NDArray features, List<Vec2> currentHandles);

    TrackerStats stats();

    /** What the last {@link #track} call did per handle (template, window, distances, branch); empty before. */
    default List<TrackRecord> lastTrack() {
        return List.of();
    }
}
