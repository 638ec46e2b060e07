package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.drag.RotatedFeatureSource;
import io.rotationdrag.drag.Rotation;
import io.rotationdrag.drag.UNetEvaluations;
import io.rotationdrag.drag.UNetFeatures;
import java.awt.image.BufferedImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RotationDrag's template source: rotate the working-size source image about its centre by the angle
 * ({@link Rotation#rotate}, nearest interpolation and grey fill as the reference's torchvision {@code rotate}), build
 * the rotated image's latent at the drag timestep t with a {@link RotatedLatent} strategy, and return F(z_rot) on the
 * drag feature grid (one more UNet forward).
 *
 * <ul>
 *   <li>{@link #reinverting}: VAE-encode and DDIM-invert the rotated image with the source's settings
 *   ({@link ImageInverter}), the paper's way: n_actual + 1 UNet forwards per call.</li>
 *   <li>{@link #oneStep}: z_t_rot = sqrt(abar_t) x0_rot + sqrt(1 - abar_t) R_a(eps_hat) from the source's own
 *   inversion ({@link OneStepRotatedLatent}): 1 VAE encode + 1 UNet forward per call.</li>
 * </ul>
 * Every UNet forward is counted in the {@link UNetFeatures}' counter and in {@link #templateForwards()}.
 */
final class RotatedSourceFeatures implements RotatedFeatureSource {

    private static final Logger LOG = LoggerFactory.getLogger(RotatedSourceFeatures.class);

    /** Inverts an image tensor [1, 3, H, W] in [-1, 1] (working size) to the drag latent at t, in {@code m}. */
    @FunctionalInterface
    interface ImageInverter {
        NDArray invert(NDArray image, NDManager m);
    }

    /** x0 = scaling_factor * VAE mean of a working-size image tensor [1, 3, H, W] in [-1, 1], in {@code m}. */
    @FunctionalInterface
    interface ImageEncoder {
        NDArray encode(NDArray image, NDManager m);
    }

    /** The rotated source's latent at t, given the rotated image tensor and the angle applied to it. */
    @FunctionalInterface
    interface RotatedLatent {
        NDArray latent(NDArray rotated, double degrees, NDManager m);
    }

    private final BufferedImage source;
    private final RotatedLatent rotatedLatent;
    private final String mode;
    private final UNetFeatures features;
    private final NDArray text;
    private final int timestep;
    private final NDManager parent;
    /** Value of uncovered pixels of the rotated image in [-1, 1] ({@link io.rotationdrag.drag.Conventions}). */
    private final float fill;
    private long templateForwards;
    private int calls;

    /**
     * @param source   the working-size source image
     * @param parent   manager the returned features are attached to (the tracker closes them)
     */
    private RotatedSourceFeatures(BufferedImage source, RotatedLatent rotatedLatent, String mode,
                                  UNetFeatures features, NDArray text, int timestep, NDManager parent, float fill) {
        this.fill = fill;
        this.source = source;
        this.rotatedLatent = rotatedLatent;
        this.mode = mode;
        this.features = features;
        this.text = text;
        this.timestep = timestep;
        this.parent = parent;
    }

    /** The paper's template source: a full DDIM re-inversion of the rotated image per call. */
    static RotatedSourceFeatures reinverting(BufferedImage source, ImageInverter inverter, UNetFeatures features,
                                             NDArray text, int timestep, NDManager parent, float fill) {
        return new RotatedSourceFeatures(source, (img, deg, m) -> inverter.invert(img, m), "reinvert", features,
                text, timestep, parent, fill);
    }

    /**
     * The cheap template source ({@link CachedTemplateSource#ONE_STEP}).
     *
     * @param zt       the source's inverted latent at t [1, 4, h, w] (float32 or the model's type)
     * @param x0       the source's scaled VAE latent, same shape
     * @param alphaBar abar_t of the drag timestep
     * @param seed     seed of the corner fill noise (mixed with the angle, so each bin is reproducible)
     */
    static RotatedSourceFeatures oneStep(BufferedImage source, ImageEncoder encoder, NDArray zt, NDArray x0,
                                         double alphaBar, long seed, UNetFeatures features, NDArray text,
                                         int timestep, NDManager parent, float fill) {
        RotatedLatent l = (img, deg, m) -> {
            NDArray x0Rot = encoder.encode(img, m);
            NDArray z = zt.duplicate();
            z.attach(m);
            long s = seed * 31 + Double.hashCode(Math.round(deg * 1e6) / 1e6);
            return OneStepRotatedLatent.latent(z, x0, x0Rot, alphaBar, deg, s).toType(zt.getDataType(), false);
        };
        return new RotatedSourceFeatures(source, l, "one-step", features, text, timestep, parent, fill);
    }

    @Override
    public NDArray featuresForAngle(double degrees) {
        UNetEvaluations c = features.counter();
        long before = c.forwardCount();
        long t0 = System.nanoTime();
        try (NDManager m = parent.newSubManager()) {
            NDArray z = rotatedLatent.latent(rotatedTensor(source, degrees, fill, m), degrees, m);
            NDArray f = features.compute(z, timestep, text, false).features();
            f.attach(parent);
            templateForwards += c.forwardCount() - before;
            calls++;
            LOG.debug("rotated source features ({}) for {} deg: {} UNet forwards, {} ms", mode, degrees,
                    c.forwardCount() - before, (System.nanoTime() - t0) / 1_000_000);
            return f;
        }
    }

    /**
     * The source rotated about its centre (nearest, as torchvision's {@code rotate}) as an image tensor [1, 3, H, W]
     * in [-1, 1], uncovered pixels exactly {@code fill}: a white image rotated with a black fill marks them.
     */
    static NDArray rotatedTensor(BufferedImage source, double degrees, float fill, NDManager m) {
        BufferedImage rotated = Rotation.rotate(source, degrees, Rotation.Interpolation.NEAREST, Rotation.GREY_RGB);
        int w = source.getWidth();
        int h = source.getHeight();
        BufferedImage white = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Arrays.fill(((java.awt.image.DataBufferInt) white.getRaster().getDataBuffer()).getData(), 0xFFFFFF);
        int[] cover = Rotation.rotate(white, degrees, Rotation.Interpolation.NEAREST, 0x000000)
                .getRGB(0, 0, w, h, null, 0, w);
        float[] chw = ImageOps.toTensor(rotated, m).toFloatArray();
        int hw = w * h;
        for (int k = 0; k < hw; k++) {
            if ((cover[k] & 0xFFFFFF) == 0) {
                chw[k] = fill;
                chw[hw + k] = fill;
                chw[2 * hw + k] = fill;
            }
        }
        return io.rotationdrag.diffusion.nn.OwnedArrays.of(m, chw, new ai.djl.ndarray.types.Shape(1, 3, h, w));
    }

    /** "reinvert" or "one-step". */
    String mode() {
        return mode;
    }

    long templateForwards() {
        return templateForwards;
    }

    int calls() {
        return calls;
    }
}
