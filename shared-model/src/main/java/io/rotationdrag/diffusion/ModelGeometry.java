package io.rotationdrag.diffusion;

import io.rotationdrag.diffusion.io.UNetConfig;
import io.rotationdrag.diffusion.io.VaeConfig;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The image sizes a model works at, from its configs alone (no weights), so a gateway without the model can validate
 * exactly as the workers that load it.
 *
 * <ul>
 *   <li>{@code sizeMultiple} = VAE factor x 2^(UNet down blocks - 1): the UNet down-samples the latent
 *       (blocks - 1) times, so working width and height must be multiples of this (8 x 8 = 64 for SD 1.5);</li>
 *   <li>{@code nativeImageSize} = unet.sample_size x VAE factor, diffusers' default height/width
 *       ({@code unet.config.sample_size * vae_scale_factor}: 64 x 8 = 512 for SD 1.5, 16 x 4 = 64 for rd-synth-v1).</li>
 * </ul>
 */
public record ModelGeometry(int sizeMultiple, int nativeImageSize) {

    public ModelGeometry {
        if (sizeMultiple < 1 || nativeImageSize < sizeMultiple) {
            throw new IllegalArgumentException("invalid model geometry: size multiple " + sizeMultiple
                    + ", native image size " + nativeImageSize);
        }
    }

    /** SD 1.5's: multiples of 64, native 512. */
    public static ModelGeometry sd15() {
        return of(UNetConfig.sd15(), VaeConfig.fromJson(io.rotationdrag.diffusion.io.ConfigJson.object()));
    }

    public static ModelGeometry of(UNetConfig unet, VaeConfig vae) {
        int vaeFactor = 1 << (vae.blockOutChannels().length - 1);
        int multiple = vaeFactor * (1 << (unet.blockOutChannels().length - 1));
        return new ModelGeometry(multiple, roundUp(unet.sampleSize() * vaeFactor, multiple));
    }

    /** Reads {@code unet/config.json} and {@code vae/config.json} of a diffusers folder. */
    public static ModelGeometry read(Path modelFolder) throws IOException {
        return of(UNetConfig.read(modelFolder.resolve("unet/config.json")),
                VaeConfig.read(modelFolder.resolve("vae/config.json")));
    }

    /** The width a request's {@code workingSize} means: 0 = {@link #nativeImageSize()}. */
    public int resolveWorkingSize(int requested) {
        return requested == 0 ? nativeImageSize : requested;
    }

    private static int roundUp(int v, int m) {
        return Math.max(m, (v + m - 1) / m * m);
    }
}
