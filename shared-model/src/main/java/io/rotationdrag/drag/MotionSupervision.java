package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.util.List;

/**
 * The motion-supervision loss of DragDiffusion/RotationDrag, the mask term and the stop criterion. Positions are
 * feature cells (see {@link FeatureGrid}).
 *
 * <p>Per handle p with target t (skipped when |t - p| &lt; {@code minDistance}, 2 cells):
 * <pre>
 *   d = (t - p) / |t - p|
 *   loss += (2 r_m + 1)^2 * mean_{c, patch} | sg(F[patch(p)]) - F_bilinear[patch(p + d)] |
 * </pre>
 * with patch(q) the (2 r_m + 1)^2 cells q + (dx, dy), |dx|, |dy| &lt;= r_m (r_m = 1), edge-replicated at the map border
 * instead of the reference's out-of-range slicing.
 *
 * <p>RotationDrag's extra skip (method.md: "a handle is skipped when it already points along the axis to the target
 * direction"; the paper does not mention it): when an axis is given for the handle and the angle between p - axis and
 * t - axis is at most {@code axisAlignedSkipDegrees}, the rotation is done and only a radial move would remain, so the
 * handle gets no loss. Off ({@code NaN}) in {@link Config#dragDiffusion()}; 0 (exact alignment only, as the reference)
 * in {@link Config#rotationDrag()}: a tolerance of 2 degrees skipped handles that were still up to 18 px from their
 * targets (issue 16). A skipped handle does not stop the loop while the mask term and tracking go on
 * ({@link DragOptimizer}).
 *
 * <p>Mask term: {@code lam * sum(|x_prev(z) - x_prev(z_init)| * (1 - mask_latent))}, mask_latent = 1 where editable,
 * down-sampled to the latent with {@link BinaryMask#resizeNearest} (torch's nearest).
 */
public final class MotionSupervision {

    /**
     * @param patchRadius            r_m (1)
     * @param minDistance            handles nearer than this to their target get no loss (2)
     * @param axisAlignedSkipDegrees RotationDrag's skip tolerance in degrees, NaN = off
     * @param maskWeight             lam of the mask term (0.1)
     * @param reachDistance          stop when every handle is nearer than this to its target (2)
     */
    public record Config(int patchRadius, double minDistance, double axisAlignedSkipDegrees, double maskWeight,
                         double reachDistance) {
        public Config {
            if (patchRadius < 0) {
                throw new IllegalArgumentException("patchRadius must be >= 0, got " + patchRadius);
            }
            if (!(minDistance >= 0) || !(reachDistance >= 0) || !(maskWeight >= 0)) {
                throw new IllegalArgumentException("minDistance, reachDistance and maskWeight must be >= 0");
            }
            if (!Double.isNaN(axisAlignedSkipDegrees) && !(axisAlignedSkipDegrees >= 0 && axisAlignedSkipDegrees < 180)) {
                throw new IllegalArgumentException("axisAlignedSkipDegrees must be NaN (off) or in [0, 180), got "
                        + axisAlignedSkipDegrees);
            }
        }

        /** DragDiffusion: r_m = 1, skip under 2 cells, lam = 0.1, stop within 2 cells, no axis skip. */
        public static Config dragDiffusion() {
            return new Config(1, 2.0, Double.NaN, 0.1, 2.0);
        }

        /** RotationDrag: as DragDiffusion plus the skip of a handle exactly aligned with its target about the axis. */
        public static Config rotationDrag() {
            return new Config(1, 2.0, 0.0, 0.1, 2.0);
        }

        public Config withMaskWeight(double lam) {
            return new Config(patchRadius, minDistance, axisAlignedSkipDegrees, lam, reachDistance);
        }

        public Config withAxisAlignedSkipDegrees(double deg) {
            return new Config(patchRadius, minDistance, deg, maskWeight, reachDistance);
        }
    }

    /**
     * @param value         scalar loss; a constant 0 (no gradient) when no handle is active
     * @param activeHandles handles that contributed
     */
    public record DragLoss(NDArray value, int activeHandles) {
    }

    private final Config config;

    public MotionSupervision(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** Why handle i gets no loss, or null when it is active. */
    public String skipReason(Vec2 handle, Vec2 target, Vec2 axis) {
        double dist = handle.distance(target);
        if (dist < config.minDistance()) {
            return "within " + config.minDistance() + " cells of its target";
        }
        if (axis != null && !Double.isNaN(config.axisAlignedSkipDegrees())) {
            double a = RotationAxis.signedAngle(axis, handle, target);
            if (handle.distance(axis) > 1e-9 && target.distance(axis) > 1e-9
                    && Math.abs(a) <= config.axisAlignedSkipDegrees()) {
                return "already points from its axis towards the target (" + a + " deg)";
            }
        }
        return null;
    }

    /**
     * The motion-supervision loss on F = F(z) (differentiable with respect to whatever produced F).
     *
     * @param features F, [C, h, w] or [1, C, h, w]
     * @param handles  current handles
     * @param targets  targets, same size
     * @param axes     rotation axis per handle for RotationDrag's skip, or null
     */
    public DragLoss dragLoss(NDArray features, List<Vec2> handles, List<Vec2> targets, List<Vec2> axes) {
        if (handles.size() != targets.size() || (axes != null && axes.size() != handles.size())) {
            throw new IllegalArgumentException("handles, targets and axes must have the same size");
        }
        int r = config.patchRadius();
        int side = 2 * r + 1;
        NDArray loss = null;
        int active = 0;
        for (int i = 0; i < handles.size(); i++) {
            Vec2 p = handles.get(i);
            Vec2 t = targets.get(i);
            if (skipReason(p, t, axes == null ? null : axes.get(i)) != null) {
                continue;
            }
            Vec2 d = t.minus(p).normalized();
            NDArray ref = FeatureMap.patch(features, p, r).stopGradient();
            NDArray moved = FeatureMap.patch(features, p.plus(d), r);
            NDArray term = OwnedArrays.mul(ref.sub(moved).abs().mean(), side * side);
            loss = loss == null ? term : loss.add(term);
            active++;
        }
        if (loss == null) {
            loss = OwnedArrays.scalar(features.getManager(), 0, features.getDataType());
        }
        return new DragLoss(loss, active);
    }

    /**
     * Mask term {@code lam * sum(|xPrev - sg(xPrevInit)| * (1 - mask))}.
     *
     * @param xPrev     x_prev(z), the DDIM step from t with this step's noise prediction, [B, 4, h, w]
     * @param xPrevInit x_prev(z_init), same shape (treated as a constant)
     * @param maskLatent editable mask at latent size, 1 = editable, broadcastable to xPrev (e.g. [1, 1, h, w])
     */
    public NDArray maskLoss(NDArray xPrev, NDArray xPrevInit, NDArray maskLatent) {
        if (!xPrev.getShape().equals(xPrevInit.getShape())) {
            throw new IllegalArgumentException("x_prev shapes differ: " + xPrev.getShape() + " vs "
                    + xPrevInit.getShape());
        }
        Shape xs = xPrev.getShape();
        Shape ms = maskLatent.getShape();
        if (ms.get(ms.dimension() - 1) != xs.get(xs.dimension() - 1)
                || ms.get(ms.dimension() - 2) != xs.get(xs.dimension() - 2)) {
            throw new IllegalArgumentException("mask " + ms + " does not match the latent " + xs
                    + " spatially; resize it with BinaryMask.resizeNearest");
        }
        NDArray keep = maskLatent.toType(xPrev.getDataType(), false).neg().add(1f);
        return OwnedArrays.mul(xPrev.sub(xPrevInit.stopGradient()).abs().mul(keep).sum(), (float) config.maskWeight());
    }

    /** Stop criterion: every handle strictly nearer than {@code reachDistance} (2 cells) to its target. */
    public boolean allReached(List<Vec2> handles, List<Vec2> targets) {
        if (handles.size() != targets.size()) {
            throw new IllegalArgumentException("handles and targets must have the same size");
        }
        for (int i = 0; i < handles.size(); i++) {
            if (handles.get(i).distance(targets.get(i)) >= config.reachDistance()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The image mask down-sampled (nearest) to the latent size. No mask or an empty one means everything is editable
     * (method.md), so the mask term vanishes; the reference instead penalises the whole latent when none is drawn.
     */
    public static BinaryMask latentMask(BinaryMask imageMask, int latentWidth, int latentHeight) {
        if (imageMask == null || imageMask.isEmpty()) {
            return BinaryMask.filled(latentWidth, latentHeight, true);
        }
        return imageMask.resizeNearest(latentWidth, latentHeight);
    }
}
