package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.unet.UNetOutput;
import io.rotationdrag.diffusion.unet.UNetRequest;

/**
 * The drag features F(z): the output of UNet up block {@code upBlock} (2 in DragDiffusion/RotationDrag: 640 channels
 * at 64x64 for SD 1.5) for latent z at timestep t, bilinearly resized to the feature grid (4x the latent: half the
 * working image on SD 1.5). Every call is one UNet forward and is counted.
 */
public final class UNetFeatures {

    /** DragDiffusion's feature layer. */
    public static final int DEFAULT_UP_BLOCK = 2;

    /** F(z) [1, C, fh, fw] and, when asked, the noise prediction [1, 4, h, w]; both in the latent's manager. */
    public record Output(NDArray features, NDArray noise) {
    }

    private final UNet2DConditionModel unet;
    private final int upBlock;
    private final FeatureGrid grid;
    private final UNetEvaluations counter;

    public UNetFeatures(UNet2DConditionModel unet, int upBlock, FeatureGrid grid, UNetEvaluations counter) {
        if (upBlock < 0 || upBlock >= unet.numUpBlocks()) {
            throw new IllegalArgumentException("up block " + upBlock + " outside [0, " + unet.numUpBlocks() + ")");
        }
        this.unet = unet;
        this.upBlock = upBlock;
        this.grid = grid;
        this.counter = counter;
    }

    public FeatureGrid grid() {
        return grid;
    }

    public UNetEvaluations counter() {
        return counter;
    }

    /** One UNet forward of {@code latent} [1, 4, h, w] at {@code timestep} with text states {@code text}. */
    public Output compute(NDArray latent, int timestep, NDArray text, boolean withNoise) {
        UNetRequest req = withNoise ? UNetRequest.noiseAnd(upBlock) : UNetRequest.featuresOnly(upBlock);
        UNetOutput out = unet.forward(latent, timestep, text, req);
        counter.forward();
        NDArray f = FeatureResize.bilinear(out.upBlock(upBlock), grid.featureHeight(), grid.featureWidth());
        return new Output(f, withNoise ? out.noise() : null);
    }
}
