package io.rotationdrag.drag;

/**
 * Counters of one tracker.
 *
 * @param trackingCalls          calls of {@link PointTracker#track}
 * @param featureComputations    rotated-source feature computations requested (each one a re-inversion)
 * @param rotatedTemplateUses    handle updates that used a rotated template
 * @param plainTemplateUses      handle updates that used the plain (initial or blended) template
 * @param outOfMapFallbacks      rotated initial handles that fell outside the map (plain template used instead)
 */
public record TrackerStats(int trackingCalls, int featureComputations, int rotatedTemplateUses,
                           int plainTemplateUses, int outOfMapFallbacks) {
}
