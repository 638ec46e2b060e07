package io.rotationdrag.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.unet.UNetRequest;
import io.rotationdrag.diffusion.vae.DiagonalGaussian;
import io.rotationdrag.edit.ImageOps;
import java.awt.image.BufferedImage;

/**
 * DIFT feature maps from whatever Stable Diffusion model it is given ({@link DiftSettings}). The image is resized
 * to the nearest size the VAE and UNet accept (a multiple of {@code 8 * 2^(down blocks - 1)}), and the map is
 * returned as a {@link FeatureMap} that stands for the <em>original</em> image size, so matching happens in the
 * original pixels (DIFT does the same: it resizes the input and upsamples the map to the image).
 *
 * <p>{@code z0 = scaling * sample(q(z|x))}; per copy k: {@code z_t = sqrt(abar_t) z0 + sqrt(1 - abar_t) eps_k};
 * features = mean_k up_blocks[i](z_t, t, text(prompt)). Every NDArray lives in a scope closed before return.
 */
public final class DiftFeatures {
    private final StableDiffusion model;
    private final DiftSettings settings;

    public DiftFeatures(StableDiffusion model, DiftSettings settings) {
        this.model = model;
        this.settings = settings;
        int blocks = model.unet().numUpBlocks();
        if (settings.upBlock() >= blocks) {
            throw new IllegalArgumentException("DIFT up block " + settings.upBlock() + " does not exist: the UNet has "
                    + blocks + " up blocks");
        }
        if (settings.timestep() >= model.scheduler().numTrainTimesteps()) {
            throw new IllegalArgumentException("DIFT timestep " + settings.timestep() + " >= the scheduler's "
                    + model.scheduler().numTrainTimesteps() + " training timesteps");
        }
        if (!model.hasTextEncoder()) {
            throw new IllegalArgumentException("the model at " + model.folder()
                    + " has no text encoder: DIFT features need the prompt's text embedding");
        }
    }

    public DiftSettings settings() {
        return settings;
    }

    /** Pixel multiple the model needs: VAE down-scaling x UNet down-sampling. */
    public int sizeMultiple() {
        return model.vae().downscale() * (1 << (model.unet().config().blockOutChannels().length - 1));
    }

    public FeatureMap extract(BufferedImage image, String prompt) {
        int m = sizeMultiple();
        int w = roundTo(image.getWidth(), m);
        int h = roundTo(image.getHeight(), m);
        BufferedImage rgb = ImageOps.toRgb(image);
        BufferedImage sized = w == image.getWidth() && h == image.getHeight() ? rgb : ImageOps.resize(rgb, w, h);
        DataType dtype = model.options().dataType();
        int k = settings.ensembleSize();
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray x = ImageOps.toTensor(sized, scope).toType(dtype, false);
            DiagonalGaussian posterior = model.vae().encode(x);
            NDArray z0 = OwnedArrays.mul(posterior.sample(settings.seed()), model.vae().scalingFactor());
            Shape zs = z0.getShape();
            NDArray batch = z0.repeat(0, k);
            float[] eps = DiagonalGaussian.gaussian(settings.seed() + 1, Math.toIntExact(batch.getShape().size()));
            NDArray noise = OwnedArrays.of(scope, eps, batch.getShape(), dtype);
            NDArray zt = model.scheduler().addNoise(batch, noise, settings.timestep());
            NDArray cond = model.encodePrompt(scope, prompt).toType(dtype, false);
            NDArray f = model.unet().forward(zt, settings.timestep(), cond,
                    UNetRequest.featuresOnly(settings.upBlock())).upBlock(settings.upBlock());
            NDArray mean = f.mean(new int[]{0}).toType(DataType.FLOAT32, false);
            Shape s = mean.getShape();
            if (zs.dimension() != 4 || s.dimension() != 3) {
                throw new IllegalStateException("unexpected DIFT feature shape " + s);
            }
            return new FeatureMap((int) s.get(0), (int) s.get(1), (int) s.get(2), mean.toFloatArray(),
                    image.getHeight(), image.getWidth());
        }
    }

    static int roundTo(int v, int m) {
        return Math.max(m, (int) Math.round(v / (double) m) * m);
    }
}
