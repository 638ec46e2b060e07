package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;

/**
 * An additive correction to one of an attention layer's linear projections: the projection returns
 * {@code W x (+ b) + delta(x)}. LoRA is {@code delta(x) = scale * B(A x)} with A [r,in], B [out,r].
 * The result must be created from {@code input} (same manager) and have the projection's output shape.
 */
@FunctionalInterface
public interface ProjectionDelta {
    NDArray delta(NDArray input);
}
