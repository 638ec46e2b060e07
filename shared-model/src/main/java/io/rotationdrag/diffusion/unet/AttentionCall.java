package io.rotationdrag.diffusion.unet;

/**
 * What an {@link AttentionProcessor} may know about the current UNet call.
 *
 * @param timestep the timestep of the first batch item (all items share it in the pipelines)
 * @param batch    batch size of the call
 */
public record AttentionCall(double timestep, long batch) {
}
