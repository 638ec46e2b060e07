package io.rotationdrag.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * MD (mean distance), DragBench's drag-accuracy metric: for each handle -> target pair, the handle's content is
 * located in the edited image by DIFT feature matching ({@link DiftMatcher}) and its Euclidean pixel distance to
 * the target is taken; MD is the mean over pairs (pooled over a dataset by averaging the per-pair distances,
 * not the per-sample means). Handles are read at the nearest integer pixel, as DragBench's points are integers.
 *
 * <p>Rotation-axis pairs (handle == target) are not drags: they are excluded from {@code md} and reported
 * separately as {@code md_axis} (how far the axis content drifted).
 */
public final class MeanDistance {
    public static final String MD = "md";
    public static final String MD_AXIS = "md_axis";
    /** MD of the ground-truth image itself: the matching error of a perfect edit (the metric's floor). */
    public static final String MD_GT_FLOOR = "md_gt_floor";
    /** Distance between where the handle content went in the edit and where it is in the ground truth. */
    public static final String HANDLE_CONTENT_VS_GT = "handle_content_distance_vs_gt";

    private MeanDistance() {
    }

    /** Matches every pair's handle content from {@code source} in {@code edited}. */
    public static List<PairMatch> match(FeatureMap source, FeatureMap edited, List<HandleTarget> pairs) {
        if (source.channels() != edited.channels()) {
            throw new IllegalArgumentException("feature maps differ in channels: " + source.channels() + " vs "
                    + edited.channels());
        }
        DiftMatcher matcher = new DiftMatcher(edited);
        List<PairMatch> out = new ArrayList<>(pairs.size());
        for (HandleTarget p : pairs) {
            int hx = (int) Math.round(p.hx());
            int hy = (int) Math.round(p.hy());
            int[] m = matcher.match(DiftMatcher.sourceVector(source, hx, hy));
            out.add(new PairMatch(p, m[0], m[1], Math.hypot(m[0] - p.tx(), m[1] - p.ty())));
        }
        return out;
    }

    /** Mean distance over the drag pairs ({@code axis = false}) or the axis pairs ({@code axis = true}). */
    public static MetricValue mean(String name, List<PairMatch> matches, boolean axis) {
        double s = 0;
        int n = 0;
        for (PairMatch m : matches) {
            if (m.pair().isRotationAxis() == axis) {
                s += m.distance();
                n++;
            }
        }
        return n == 0 ? MetricValue.unavailable(name, axis ? "the sample has no rotation-axis pair"
                : "the sample has no drag pair (all pairs are rotation axes)") : MetricValue.of(name, s / n);
    }

    /** Mean distance between the edit's and the ground truth's matches of the drag pairs. */
    public static MetricValue contentDistance(List<PairMatch> edited, List<PairMatch> groundTruth) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < edited.size(); i++) {
            if (!edited.get(i).pair().isRotationAxis()) {
                s += Math.hypot(edited.get(i).matchX() - groundTruth.get(i).matchX(),
                        edited.get(i).matchY() - groundTruth.get(i).matchY());
                n++;
            }
        }
        return n == 0 ? MetricValue.unavailable(HANDLE_CONTENT_VS_GT, "the sample has no drag pair")
                : MetricValue.of(HANDLE_CONTENT_VS_GT, s / n);
    }
}
