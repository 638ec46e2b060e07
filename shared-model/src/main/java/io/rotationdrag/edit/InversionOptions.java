package io.rotationdrag.edit;

/**
 * DDIM inversion settings (method.md stage 2): a {@code numInferenceSteps}-step DDIM schedule of which
 * {@code n_actual = round(strength * numInferenceSteps)} steps are inverted; the latent there is what the drag
 * optimises. Guidance scale is 1 (no classifier-free guidance), as in the reference for real images.
 * RotationDrag UI: 50 steps, strength 0.75 (t* = 741); DragDiffusion: 0.7 (t* = 681).
 */
public record InversionOptions(int numInferenceSteps, double strength) {

    public InversionOptions {
        if (numInferenceSteps < 1 || numInferenceSteps > 1000) {
            throw new IllegalArgumentException("inference steps must be in [1, 1000], got " + numInferenceSteps);
        }
        if (!(strength > 0) || strength > 1) {
            throw new IllegalArgumentException("inversion strength must be in (0, 1], got " + strength);
        }
        if (Math.round(strength * numInferenceSteps) < 1) {
            throw new IllegalArgumentException("inversion strength " + strength + " of " + numInferenceSteps
                    + " steps inverts no step");
        }
    }

    public static InversionOptions defaults() {
        return new InversionOptions(50, 0.75);
    }

    public static InversionOptions dragDiffusion() {
        return new InversionOptions(50, 0.7);
    }

    /** n_actual = round(strength * steps) (Python's round of x.5 only matters for odd products; none in use). */
    public int actualSteps() {
        return (int) Math.round(strength * numInferenceSteps);
    }
}
