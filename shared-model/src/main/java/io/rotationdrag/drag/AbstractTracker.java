package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/** Shared part of the trackers: initial templates from F0 and the windowed L1 nearest-neighbour update. */
abstract class AbstractTracker implements PointTracker {

    protected final TrackerConfig config;
    protected final Conventions conventions;
    protected final int width;
    protected final int height;
    protected final int channels;
    protected final List<Vec2> initialHandles;
    /** F0 at each initial handle: DragDiffusion's template. */
    protected final float[][] initialTemplates;

    protected int trackingCalls;
    protected int featureComputations;
    protected int rotatedUses;
    protected int plainUses;
    protected int outOfMapFallbacks;

    /** Set by {@link #template} for the handle being updated (defaults: plain, no angle, the initial handle). */
    protected TrackRecord.Branch lastBranch;
    protected double lastAngle;
    protected double lastApplied;
    protected Vec2 lastTemplatePoint;
    private List<TrackRecord> lastTrack = List.of();

    AbstractTracker(TrackingSetup setup, TrackerConfig config) {
        this(setup, config, Conventions.PRODUCT);
    }

    AbstractTracker(TrackingSetup setup, TrackerConfig config, Conventions conventions) {
        this.config = config;
        this.conventions = conventions == null ? Conventions.PRODUCT : conventions;
        NDArray f0 = setup.initialFeatures();
        this.width = FeatureMap.width(f0);
        this.height = FeatureMap.height(f0);
        this.channels = FeatureMap.channels(f0);
        List<Vec2> handles = new ArrayList<>();
        for (Vec2 h : setup.initialHandles()) {
            handles.add(h.rounded().clamp(width, height));
        }
        this.initialHandles = List.copyOf(handles);
        this.initialTemplates = new float[handles.size()][];
        for (int i = 0; i < handles.size(); i++) {
            initialTemplates[i] = FeatureMap.vector(f0, handles.get(i));
        }
    }

    /** The template of handle i for this update. */
    protected abstract float[] template(int i, Vec2 current, NDArray features);

    /** Hook after handle i moved (FreeDrag updates its template here). */
    protected void afterMatch(int i, FeatureMap.Match match, float[] usedTemplate, NDArray features) {
    }

    @Override
    public List<Vec2> track(NDArray features, List<Vec2> currentHandles) {
        if (currentHandles.size() != initialHandles.size()) {
            throw new IllegalArgumentException(currentHandles.size() + " handles given, tracker has "
                    + initialHandles.size());
        }
        if (FeatureMap.width(features) != width || FeatureMap.height(features) != height
                || FeatureMap.channels(features) != channels) {
            throw new IllegalArgumentException("features " + features.getShape() + " differ from F0 ["
                    + channels + ", " + height + ", " + width + "]");
        }
        trackingCalls++;
        List<Vec2> out = new ArrayList<>(currentHandles.size());
        List<TrackRecord> records = new ArrayList<>(currentHandles.size());
        for (int i = 0; i < currentHandles.size(); i++) {
            Vec2 current = currentHandles.get(i).rounded().clamp(width, height);
            lastBranch = TrackRecord.Branch.PLAIN;
            lastAngle = Double.NaN;
            lastApplied = Double.NaN;
            lastTemplatePoint = initialHandles.get(i);
            float[] t = template(i, current, features);
            FeatureMap.Search s = FeatureMap.search(features, t, current, config.searchRadius());
            FeatureMap.Match m = s.match();
            records.add(new TrackRecord(i, current, m.point(), lastBranch, lastAngle, lastApplied, lastTemplatePoint,
                    t.clone(), s.x0(), s.y0(), s.width(), s.height(), s.distances()));
            afterMatch(i, m, t, features);
            out.add(m.point());
        }
        lastTrack = List.copyOf(records);
        return out;
    }

    @Override
    public List<TrackRecord> lastTrack() {
        return lastTrack;
    }

    @Override
    public TrackerStats stats() {
        return new TrackerStats(trackingCalls, featureComputations, rotatedUses, plainUses, outOfMapFallbacks);
    }
}
