package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What a tracker is built from; all positions in feature cells (see {@link FeatureGrid}).
 *
 * @param initialFeatures F0 = F(z_init), [C, h, w] or [1, C, h, w]; the trackers copy the vectors they need and do not
 *                        keep the array
 * @param initialHandles  handles at the start (rounded to cells and clamped into the map by the trackers)
 * @param axes            rotation axis per handle (required by the rotation trackers, else may be null)
 */
public record TrackingSetup(NDArray initialFeatures, List<Vec2> initialHandles, List<Vec2> axes) {

    public TrackingSetup {
        if (initialFeatures == null) {
            throw new IllegalArgumentException("initial features are required");
        }
        if (initialHandles == null || initialHandles.isEmpty()) {
            throw new IllegalArgumentException("at least one handle is required");
        }
        initialHandles = List.copyOf(initialHandles);
        if (axes != null) {
            if (axes.size() != initialHandles.size()) {
                throw new IllegalArgumentException(axes.size() + " axes for " + initialHandles.size() + " handles");
            }
            axes = List.copyOf(axes);
        }
    }
}
