package io.rotationdrag.edit;

import io.rotationdrag.drag.DragOptimizer;

/**
 * Sees every drag step in full: the latent before and after, its gradient, the loss split into motion and mask parts,
 * and the tracker's template, search window, distances, angle and branch per handle ({@link DragOptimizer.StepTrace},
 * feature cells; {@code StepTrace.grid()} maps them to working-image pixels). For step-by-step comparison with the
 * reference implementation; each step copies the latent and gradient to Java arrays, so it costs a little.
 */
@FunctionalInterface
public interface DragStepListener {

    void onStep(DragOptimizer.StepTrace step);
}
