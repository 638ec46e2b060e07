package io.rotationdrag.eval;

import java.awt.image.BufferedImage;

/**
 * PSNR over the pixels of a region, all three RGB channels pooled:
 * {@code MSE = sum_{p in R, c in RGB} (a_pc - b_pc)^2 / (3 |R|)}, {@code PSNR = 10 log10(255^2 / MSE)} dB.
 * Identical regions give {@code +Infinity}; an empty region is reported unavailable.
 */
public final class MaskedPsnr {
    public static final double DATA_RANGE = 255.0;

    private MaskedPsnr() {
    }

    /** Mean squared error over the region (RGB pooled); NaN when the region is empty. */
    public static double mse(BufferedImage a, BufferedImage b, PixelMask region) {
        ImagePlanes.requireSameSize(a, b, "PSNR");
        ImagePlanes.requireMaskSize(a, region, "PSNR");
        ImagePlanes pa = ImagePlanes.of(a);
        ImagePlanes pb = ImagePlanes.of(b);
        int w = a.getWidth();
        double sum = 0;
        long n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < w; x++) {
                if (!region.get(x, y)) {
                    continue;
                }
                int i = y * w + x;
                for (int c = 0; c < 3; c++) {
                    double d = pa.channel(c)[i] - pb.channel(c)[i];
                    sum += d * d;
                }
                n += 3;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    public static MetricValue compute(String name, BufferedImage a, BufferedImage b, PixelMask region) {
        double mse = mse(a, b, region);
        if (Double.isNaN(mse)) {
            return MetricValue.unavailable(name, "the region is empty");
        }
        return MetricValue.of(name, psnrFromMse(mse));
    }

    /** {@code 10 log10(255^2 / mse)}; {@code +Infinity} for mse = 0. */
    public static double psnrFromMse(double mse) {
        return mse == 0 ? Double.POSITIVE_INFINITY : 10.0 * Math.log10(DATA_RANGE * DATA_RANGE / mse);
    }
}
