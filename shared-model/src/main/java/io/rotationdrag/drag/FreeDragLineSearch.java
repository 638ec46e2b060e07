package io.rotationdrag.drag;

import java.util.ArrayList;
import java.util.List;

/**
 * FreeDrag's localisation of the virtual handle: a line search along handle -> target with backtracking, in place of
 * point tracking. Pure decision logic: the patch distances come from a {@link PatchDistances} function, so the rules
 * are testable on synthetic data.
 *
 * <p>With p the current virtual handle, t its target, D = |t - p|, d_max the {@link FreeDragConfig#maxMove()}, and
 * l_end / l_ini the handle's loss after / at the first update of the previous localisation:
 * <pre>
 *   FORWARD   if l_end &lt; threshold_l (the template is matched at p, move on):
 *                 candidates c_i = p + (i/n) min(d_max / D, 1) (t - p), i = 1..n
 *                 p &lt;- argmin_i | dist(c_i) - l_expected |   (a step whose feature change is the expected one)
 *   HOLD      else if l_end &lt; l_ini (the loss is still falling): p stays, the latent gets more updates
 *   BACKTRACK else (the loss did not fall):  q = p - min(d_max / D, 1) (t - p)   (roll back by up to d_max)
 *                 candidates c_i = q + (i/n) min(2 d_max / |t - q|, 1) (t - q)  (twice the range from q)
 *                 p &lt;- argmin_i dist(c_i)                     (the best match of the template, l = 0)
 * </pre>
 * dist(c) is the mean L1 distance between the feature patch at c and the handle's template (FreeDrag's
 * {@code get_each_point}). Ties go to the first candidate (torch's argmin). One difference from the reference: a
 * roll-back that would leave the feature map is shortened along the line to end on the map's edge (the reference would
 * index outside the map).
 */
public final class FreeDragLineSearch {

    /** What a localisation did. */
    public enum Move {
        FORWARD, HOLD, BACKTRACK
    }

    /**
     * @param move     the branch taken
     * @param point    the new virtual handle (feature cells)
     * @param distance dist(point) of the chosen candidate, NaN for {@link Move#HOLD}
     */
    public record Decision(Move move, Vec2 point, double distance) {
    }

    /** Mean L1 distance between the feature patch at each candidate and the template: one value per candidate. */
    @FunctionalInterface
    public interface PatchDistances {
        double[] at(List<Vec2> candidates);
    }

    private final FreeDragConfig config;
    private final int width;
    private final int height;

    /**
     * @param width  feature-map width (cells), for keeping roll-backs on the map
     * @param height feature-map height
     */
    public FreeDragLineSearch(FreeDragConfig config, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("feature map must have a positive size, got " + width + "x" + height);
        }
        this.config = config;
        this.width = width;
        this.height = height;
    }

    /**
     * One localisation of a handle that is not settled.
     *
     * @param current  the current virtual handle p
     * @param target   its target t
     * @param lossInit l_ini: the handle's loss at the first update after the previous localisation (0 before any)
     * @param lossEnd  l_end: its loss after the previous localisation's updates (0 before any, so the first move is
     *                 FORWARD, as in the reference)
     */
    public Decision localize(Vec2 current, Vec2 target, double lossInit, double lossEnd, PatchDistances distances) {
        if (lossEnd < config.lossThreshold()) {
            List<Vec2> c = candidates(current, target, config.maxMove(), config.candidates());
            double[] d = check(distances.at(c), c.size());
            int best = 0;
            for (int i = 1; i < d.length; i++) {
                if (Math.abs(d[i] - config.expectedLoss()) < Math.abs(d[best] - config.expectedLoss())) {
                    best = i;
                }
            }
            return new Decision(Move.FORWARD, c.get(best), d[best]);
        }
        if (lossEnd < lossInit) {
            return new Decision(Move.HOLD, current, Double.NaN);
        }
        Vec2 back = rollBack(current, target);
        List<Vec2> c = candidates(back, target, 2 * config.maxMove(), config.candidates());
        double[] d = check(distances.at(c), c.size());
        int best = 0;
        for (int i = 1; i < d.length; i++) {
            if (d[i] < d[best]) {
                best = i;
            }
        }
        return new Decision(Move.BACKTRACK, c.get(best), d[best]);
    }

    /**
     * The candidates {@code from + (i/n) min(range / |t - from|, 1) (t - from)}, i = 1..n: evenly spaced on the segment
     * from {@code from} towards {@code target}, at most {@code range} long and never past the target.
     */
    public static List<Vec2> candidates(Vec2 from, Vec2 target, double range, int n) {
        Vec2 dir = target.minus(from);
        double remain = dir.norm();
        double reach = remain < 1e-12 ? 0 : Math.min(range / remain, 1.0);
        List<Vec2> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(from.plus(dir.scale(reach * i / n)));
        }
        return out;
    }

    /** q = p - min(d_max / D, 1) (t - p), shortened along the line so that q stays on the feature map. */
    Vec2 rollBack(Vec2 current, Vec2 target) {
        Vec2 dir = target.minus(current);
        double remain = dir.norm();
        if (remain < 1e-12) {
            return current;
        }
        double s = Math.min(config.maxMove() / remain, 1.0);
        // current - s dir must stay in [0, w-1] x [0, h-1]
        s = Math.min(s, limit(current.x(), dir.x(), width));
        s = Math.min(s, limit(current.y(), dir.y(), height));
        return current.minus(dir.scale(Math.max(0, s)));
    }

    /** Largest s with 0 &lt;= c - s d &lt;= size - 1. */
    private static double limit(double c, double d, int size) {
        if (d > 0) {
            return c / d;
        }
        if (d < 0) {
            return (size - 1 - c) / -d;
        }
        return Double.POSITIVE_INFINITY;
    }

    private static double[] check(double[] d, int n) {
        if (d == null || d.length != n) {
            throw new IllegalStateException("patch distances: expected " + n + " values, got "
                    + (d == null ? "none" : d.length));
        }
        return d;
    }
}
