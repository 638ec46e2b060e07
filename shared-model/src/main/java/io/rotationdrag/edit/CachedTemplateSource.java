package io.rotationdrag.edit;

/**
 * How {@code rotationdrag-cached} builds the noisy latent of the rotated source for one angle bin (the paper-faithful
 * {@code rotationdrag} always re-inverts).
 *
 * <ul>
 *   <li>{@link #ONE_STEP} (default): z_t_rot = sqrt(abar_t) x0_rot + sqrt(1 - abar_t) R_a(eps_hat), with x0_rot the
 *   VAE latent of the rotated source and eps_hat = (z_t - sqrt(abar_t) x0) / sqrt(1 - abar_t) the noise implied by the
 *   source's own inversion, rotated by the same angle ({@link OneStepRotatedLatent}). Per bin: 1 VAE encode +
 *   1 UNet forward (the features).</li>
 *   <li>{@link #REINVERT}: DDIM-invert the rotated source as the paper does. Per bin: 1 VAE encode +
 *   n_actual + 1 UNet forwards.</li>
 * </ul>
 */
public enum CachedTemplateSource {
    ONE_STEP,
    REINVERT
}
