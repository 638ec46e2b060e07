package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;

/** DragDiffusion: the template is F0 at the initial handle, for every step. */
final class DragDiffusionTracker extends AbstractTracker {

    DragDiffusionTracker(TrackingSetup setup, TrackerConfig config) {
        super(setup, config);
    }

    @Override
    public String id() {
        return PointTrackers.DRAGDIFFUSION;
    }

    @Override
    protected float[] template(int i, Vec2 current, NDArray features) {
        plainUses++;
        return initialTemplates[i];
    }
}
