package io.rotationdrag.edit;

/**
 * Denoising with mutual self-attention control (method.md stage 4): the batch [original inverted, optimised] is
 * denoised from t*; in self-attention layers with index >= start layer (forward order) and at denoising steps >=
 * {@code startStep}, the edited item uses its own queries with the keys/values of the original item.
 *
 * <p>{@code startLayer} is given for SD 1.5's 16 self-attention layers (10 of 16). A UNet with a different number L of
 * self-attention layers uses round(startLayer * L / referenceLayers), i.e. the same fraction of the deepest layers
 * (the last 6 of 16 = up_blocks[2..3] in SD 1.5).
 *
 * @param mutualSelfAttention false = denoise the optimised latent alone
 */
public record DenoiseOptions(boolean mutualSelfAttention, int startStep, int startLayer, int referenceLayers) {

    public DenoiseOptions {
        if (startStep < 0 || startLayer < 0 || referenceLayers < 1 || startLayer > referenceLayers) {
            throw new IllegalArgumentException("invalid denoise settings: start step " + startStep + ", start layer "
                    + startLayer + " of " + referenceLayers);
        }
    }

    public static DenoiseOptions defaults() {
        return new DenoiseOptions(true, 0, 10, 16);
    }

    /** The start layer scaled to a UNet with {@code layers} self-attention layers. */
    public int startLayerFor(int layers) {
        return (int) Math.round((double) startLayer * layers / referenceLayers);
    }
}
