package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.nn.ParameterStore;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.unet.UNetRequest;
import io.rotationdrag.diffusion.vae.AutoencoderKL;

/** The engine's modules seen through the trainer's small interfaces (no copies: the same parameters). */
public final class EngineAdapters {

    private EngineAdapters() {
    }

    public static TrainableAutoencoder autoencoder(AutoencoderKL vae) {
        return new TrainableAutoencoder() {
            @Override
            public ParameterStore parameters() {
                return vae.parameters();
            }

            @Override
            public NDArray[] encodeMoments(NDArray pixels) {
                var g = vae.encode(pixels);
                return new NDArray[]{g.mean(), g.logvar()};
            }

            @Override
            public NDArray decode(NDArray latents) {
                return vae.decode(latents);
            }
        };
    }

    public static TrainableDenoiser denoiser(UNet2DConditionModel unet) {
        return new TrainableDenoiser() {
            @Override
            public ParameterStore parameters() {
                return unet.parameters();
            }

            @Override
            public NDArray predictNoise(NDArray latents, int[] timesteps, NDArray textStates) {
                float[] t = new float[timesteps.length];
                for (int i = 0; i < t.length; i++) {
                    t[i] = timesteps[i];
                }
                NDArray ts = OwnedArrays.of(latents.getManager(), t);
                return unet.forward(latents, ts, textStates, UNetRequest.NOISE).noise();
            }
        };
    }

    /** The loaded model's own tokenizer + text encoder. */
    public static PromptEncoder prompts(StableDiffusion sd) {
        return (p, m) -> sd.textEncoder().encode(m, sd.tokenizer(), p);
    }
}
