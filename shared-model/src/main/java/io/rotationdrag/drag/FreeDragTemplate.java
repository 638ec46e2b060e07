package io.rotationdrag.drag;

/**
 * FreeDrag's template feature with adaptive updating and its settle rule, on plain arrays. A template is the feature
 * patch of one handle, (2 win_r + 1)^2 samples of C channels, laid out [C, samples] row-major.
 *
 * <p>After each localisation's updates, with l_end the mean L1 distance between the patch F_r at the virtual handle and
 * the template T:
 * <pre>
 *   settled   = |p - t| &lt; threshold_d  and  l_end &lt;= threshold_l            (threshold_l = 0.5 l_expected)
 *   lambda    = 1 if settled, else 1 / (1 + exp(a (l_end - b)))   a = ln 9 / (0.6 l_expected), b = 0.2 l_expected
 *   T        &lt;- lambda F_r + (1 - lambda) T
 * </pre>
 * So the template follows the handle's current appearance when the match is good (lambda 0.9 at l_end = -0.4 l_exp,
 * 0.5 at 0.2 l_exp) and keeps its old value when it is poor (0.1 at 0.8 l_exp, ~0 beyond), which is what keeps FreeDrag
 * from drifting to a wrong region.
 */
public final class FreeDragTemplate {

    private final FreeDragConfig config;
    private final float[] values;

    /** @param initial the patch of F0 at the initial handle (copied) */
    public FreeDragTemplate(FreeDragConfig config, float[] initial) {
        if (initial == null || initial.length == 0) {
            throw new IllegalArgumentException("initial template must not be empty");
        }
        this.config = config;
        this.values = initial.clone();
    }

    /** A copy of the current template. */
    public float[] values() {
        return values.clone();
    }

    /** Mean L1 distance between a patch and the template (FreeDrag's loss of one handle). */
    public double distance(float[] patch) {
        checkLength(patch);
        double s = 0;
        for (int i = 0; i < values.length; i++) {
            s += Math.abs(patch[i] - values[i]);
        }
        return s / values.length;
    }

    /** Whether a handle is done: near its target and matched well there. */
    public static boolean settled(FreeDragConfig config, double distanceToTarget, double lossEnd) {
        return distanceToTarget < config.reachDistance() && lossEnd <= config.lossThreshold();
    }

    /** lambda: 1 when settled, else the sigmoid 1 / (1 + exp(a (l_end - b))). */
    public static double weight(FreeDragConfig config, double lossEnd, boolean settled) {
        if (settled) {
            return 1.0;
        }
        return 1.0 / (1.0 + Math.exp(config.templateSlope() * (lossEnd - config.templateCentre())));
    }

    /**
     * T &lt;- lambda F_r + (1 - lambda) T.
     *
     * @param current the patch F_r at the virtual handle after the updates
     * @param lossEnd l_end, its distance to the template before this update
     * @param settled the handle's settle state
     * @return the weight lambda used
     */
    public double update(float[] current, double lossEnd, boolean settled) {
        checkLength(current);
        double lambda = weight(config, lossEnd, settled);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (lambda * current[i] + (1 - lambda) * values[i]);
        }
        return lambda;
    }

    private void checkLength(float[] patch) {
        if (patch == null || patch.length != values.length) {
            throw new IllegalArgumentException("patch has " + (patch == null ? 0 : patch.length)
                    + " values, the template " + values.length);
        }
    }
}
