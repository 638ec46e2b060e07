package io.rotationdrag.drag;

/**
 * Hyper-parameters of FreeDrag (Ling et al., "FreeDrag: Feature Dragging for Reliable Point-based Image Editing",
 * CVPR 2024; defaults of the authors' diffusion version, {@code freedrag_update} and its UI). Distances are feature
 * cells of the {@link FeatureGrid}; losses are mean absolute feature differences (per channel and patch sample, the
 * unit of {@code torch.nn.L1Loss} on the [81, C] patches).
 *
 * @param expectedLoss   l_expected: the patch distance the forward line search aims for at the new position (1.0);
 *                       it also sets the other loss thresholds, see below
 * @param maxMove        d_max: the longest move of the virtual handle per localisation, in feature cells (5)
 * @param patchRadius    win_r: the template and the loss cover (2 win_r + 1)^2 samples at unit spacing (4 -> 81)
 * @param innerSteps     latent updates per localisation at most (5)
 * @param candidates     positions tried along the line per localisation, at fractions 1/n .. n/n of the range (10)
 * @param maskWeight     lam of the mask term in FreeDrag's form {@code lam * mean(|x_prev(z) - x_prev(z0)| * (1 - m))}
 *                       (10); a mean over the latent's elements, not the DragDiffusion sum
 * @param reachDistance  threshold_d: a handle is settled when its virtual handle is nearer than this to the target and
 *                       its loss at most {@link #lossThreshold()} (2 cells)
 */
public record FreeDragConfig(double expectedLoss, double maxMove, int patchRadius, int innerSteps, int candidates,
                             double maskWeight, double reachDistance) {

    public FreeDragConfig {
        if (!(expectedLoss > 0) || !Double.isFinite(expectedLoss)) {
            throw new IllegalArgumentException("expectedLoss (l_expected) must be positive, got " + expectedLoss);
        }
        if (!(maxMove > 0) || !Double.isFinite(maxMove)) {
            throw new IllegalArgumentException("maxMove (d_max) must be positive, got " + maxMove);
        }
        if (patchRadius < 0) {
            throw new IllegalArgumentException("patchRadius (win_r) must be >= 0, got " + patchRadius);
        }
        if (innerSteps < 1) {
            throw new IllegalArgumentException("innerSteps must be >= 1, got " + innerSteps);
        }
        if (candidates < 1) {
            throw new IllegalArgumentException("candidates must be >= 1, got " + candidates);
        }
        if (!(maskWeight >= 0)) {
            throw new IllegalArgumentException("maskWeight must be >= 0, got " + maskWeight);
        }
        if (!(reachDistance >= 0)) {
            throw new IllegalArgumentException("reachDistance must be >= 0, got " + reachDistance);
        }
    }

    /** The authors' diffusion defaults: l_expected 1, d_max 5, win_r 4, 5 inner steps, 10 candidates, lam 10, 2 cells. */
    public static FreeDragConfig published() {
        return new FreeDragConfig(1.0, 5.0, 4, 5, 10, 10.0, 2.0);
    }

    public FreeDragConfig withReachDistance(double d) {
        return new FreeDragConfig(expectedLoss, maxMove, patchRadius, innerSteps, candidates, maskWeight, d);
    }

    public FreeDragConfig withExpectedLoss(double l) {
        return new FreeDragConfig(l, maxMove, patchRadius, innerSteps, candidates, maskWeight, reachDistance);
    }

    public FreeDragConfig withMaxMove(double d) {
        return new FreeDragConfig(expectedLoss, d, patchRadius, innerSteps, candidates, maskWeight, reachDistance);
    }

    /** threshold_l = 0.5 l_expected: below it the template is matched well enough to move on (and to stop). */
    public double lossThreshold() {
        return 0.5 * expectedLoss;
    }

    /** Slope a = ln 9 / (0.6 l_expected) of the template weight; weight 0.9 at l = -0.4 l_exp, 0.1 at 0.8 l_exp. */
    public double templateSlope() {
        return Math.log(9.0) / (0.6 * expectedLoss);
    }

    /** Centre b = 0.2 l_expected of the template weight: weight 1/2 at l = b. */
    public double templateCentre() {
        return 0.2 * expectedLoss;
    }

    /** Samples per patch, (2 win_r + 1)^2. */
    public int patchSamples() {
        int side = 2 * patchRadius + 1;
        return side * side;
    }
}
