package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import io.rotationdrag.diffusion.nn.ParameterStore;

/** What the trainer needs from the engine's UNet2DConditionModel. */
public interface TrainableDenoiser {

    ParameterStore parameters();

    /** Noise prediction for noisy latents (B x C x h x w) at one timestep per batch element, text states B x L x D. */
    NDArray predictNoise(NDArray latents, int[] timesteps, NDArray textStates);
}
