package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.drag.RotatedFeatureSource;
import io.rotationdrag.drag.Rotation;
import io.rotationdrag.drag.UNetFeatures;
import io.rotationdrag.drag.UNetEvaluations;
import java.awt.image.BufferedImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RotationDrag's template source with the real inverter: rotate the working-size source image about its centre by
 * the angle ({@link Rotation#rotate}, nearest interpolation and grey fill as the reference's torchvision
 * {@code rotate}), VAE-encode and DDIM-invert it with the same settings as the source ({@link ImageInverter}), and
 * return F(z_rot) at the drag timestep on the drag feature grid. One call = n_actual + 1 UNet forwards, counted in
 * the {@link UNetFeatures}' counter and in {@link #templateForwards()}.
 */
final class RotatedSourceFeatures implements RotatedFeatureSource {

    private static final Logger LOG = LoggerFactory.getLogger(RotatedSourceFeatures.class);

    /** Inverts an image (working size) to the drag latent at t; the arrays belong to {@code m}. */
    @FunctionalInterface
    interface ImageInverter {
        NDArray invert(BufferedImage image, NDManager m);
    }

    private final BufferedImage source;
    private final ImageInverter inverter;
    private final UNetFeatures features;
    private final NDArray text;
    private final int timestep;
    private final NDManager parent;
    private long templateForwards;
    private int calls;

    /**
     * @param source   the working-size source image
     * @param parent   manager the returned features are attached to (the tracker closes them)
     */
    RotatedSourceFeatures(BufferedImage source, ImageInverter inverter, UNetFeatures features, NDArray text,
                          int timestep, NDManager parent) {
        this.source = source;
        this.inverter = inverter;
        this.features = features;
        this.text = text;
        this.timestep = timestep;
        this.parent = parent;
    }

    @Override
    public NDArray featuresForAngle(double degrees) {
        UNetEvaluations c = features.counter();
        long before = c.forwardCount();
        long t0 = System.nanoTime();
        BufferedImage rotated = Rotation.rotate(source, degrees, Rotation.Interpolation.NEAREST, Rotation.GREY_RGB);
        try (NDManager m = parent.newSubManager()) {
            NDArray z = inverter.invert(rotated, m);
            NDArray f = features.compute(z, timestep, text, false).features();
            f.attach(parent);
            templateForwards += c.forwardCount() - before;
            calls++;
            LOG.debug("rotated source features for {} deg: {} UNet forwards, {} ms", degrees,
                    c.forwardCount() - before, (System.nanoTime() - t0) / 1_000_000);
            return f;
        }
    }

    long templateForwards() {
        return templateForwards;
    }

    int calls() {
        return calls;
    }
}
