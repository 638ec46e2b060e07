package io.rotationdrag.lora;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps non-finite updates out of trained weights. A step whose loss or any gradient element is NaN or infinite is
 * skipped (the optimiser never sees it) and counted; Adam would otherwise write NaN into every weight it touches
 * (m / (sqrt(v) + eps) with v = Inf gives Inf / Inf), so one bad gradient poisons all later steps: that is how a
 * LoRA run "diverged at step 2" (issue 16). The usual source on this CPU is the float32 backward of convolutions
 * with few output channels (the UNet's conv_out, issue 22), which reads uninitialised padding.
 *
 * <p>Too many skipped steps mean the run learned from too little: {@link #check} fails when more than
 * {@code maxSkippedFraction} of the steps so far were skipped.
 */
public final class FiniteStepGuard {

    private final double maxSkippedFraction;
    private final List<Integer> skipped = new ArrayList<>();
    private int steps;

    /** @param maxSkippedFraction fraction of steps that may be skipped before {@link #check} fails, in [0, 1] */
    public FiniteStepGuard(double maxSkippedFraction) {
        if (!(maxSkippedFraction >= 0 && maxSkippedFraction <= 1)) {
            throw new IllegalArgumentException("maxSkippedFraction must be in [0, 1], got " + maxSkippedFraction);
        }
        this.maxSkippedFraction = maxSkippedFraction;
    }

    /**
     * @param step      1-based step number (for the report)
     * @param loss      the step's loss
     * @param gradients the step's gradients
     * @return true when the step may be applied; false (and counted) when it must be skipped
     */
    public boolean accept(int step, double loss, List<NDArray> gradients) {
        steps++;
        boolean ok = Double.isFinite(loss);
        for (int i = 0; ok && i < gradients.size(); i++) {
            NDArray g = gradients.get(i);
            if (g == null) {
                continue;
            }
            // a NaN or +-Inf anywhere makes the sum of |g| non-finite (huge finite values may overflow it to Inf:
            // such a step is skipped too, which is what it deserves)
            ok = Double.isFinite(g.abs().sum().getFloat());
        }
        if (!ok) {
            skipped.add(step);
        }
        return ok;
    }

    /** Fails when more than the allowed fraction of steps was skipped. */
    public void check(String what) {
        if (steps > 0 && skipped.size() > maxSkippedFraction * steps) {
            throw new IllegalStateException(what + ": " + skipped.size() + " of " + steps + " steps had a non-finite "
                    + "loss or gradient (steps " + skipped + "); the result would be unreliable");
        }
    }

    /** 1-based numbers of the skipped steps. */
    public List<Integer> skippedSteps() {
        return List.copyOf(skipped);
    }
}
