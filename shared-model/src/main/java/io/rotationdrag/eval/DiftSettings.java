package io.rotationdrag.eval;

/**
 * How MD's DIFT features are taken (method.md): the image latent (VAE posterior sample x scaling factor) is
 * noised to {@code timestep} with DDPM forward noising, one UNet pass with the sample's prompt, output of
 * {@code up_blocks[upBlock]}, averaged over {@code ensembleSize} noisy copies. The field's defaults are
 * t = 261, up_blocks[1], 8 copies.
 *
 * @param seed seeds the posterior sample and the noise; the same seed is used for the source and the edited
 *             image so that the two maps differ only by the images (deterministic per job)
 */
public record DiftSettings(int timestep, int upBlock, int ensembleSize, long seed) {
    public static final int DEFAULT_TIMESTEP = 261;
    public static final int DEFAULT_UP_BLOCK = 1;
    public static final int DEFAULT_ENSEMBLE = 8;

    public DiftSettings {
        if (timestep < 0) {
            throw new IllegalArgumentException("DIFT timestep must be >= 0, got " + timestep);
        }
        if (upBlock < 0) {
            throw new IllegalArgumentException("DIFT up block must be >= 0, got " + upBlock);
        }
        if (ensembleSize < 1) {
            throw new IllegalArgumentException("DIFT ensemble size must be >= 1, got " + ensembleSize);
        }
    }

    public static DiftSettings defaults() {
        return new DiftSettings(DEFAULT_TIMESTEP, DEFAULT_UP_BLOCK, DEFAULT_ENSEMBLE, 0L);
    }
}
