package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import io.rotationdrag.diffusion.nn.ParameterStore;

/** What the trainer needs from the engine's AutoencoderKL: its parameters, the posterior moments, the decoder. */
public interface TrainableAutoencoder {

    ParameterStore parameters();

    /** Posterior of pixels in [-1, 1] (B x 3 x H x W): {mean, logvar}, each B x C x H/f x W/f (unscaled). */
    NDArray[] encodeMoments(NDArray pixels);

    /** Unscaled latents -> pixels in about [-1, 1]. */
    NDArray decode(NDArray latents);
}
