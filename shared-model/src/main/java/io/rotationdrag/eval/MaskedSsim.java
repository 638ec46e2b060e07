package io.rotationdrag.eval;

import java.awt.image.BufferedImage;

/**
 * SSIM restricted to a region R, so that pixels outside R never influence the score.
 *
 * <p>For every centre c in R whose full window lies inside the image (Wang et al.'s "valid" filtering), the
 * local statistics use the Gaussian window restricted to R and renormalised:
 * {@code w_p = g(p - c) [p in R] / sum_q g(q - c) [q in R]},
 * {@code mu_a = sum w a}, {@code s_a^2 = sum w a^2 - mu_a^2}, {@code s_ab = sum w a b - mu_a mu_b}, and
 * {@code SSIM(c) = (2 mu_a mu_b + C1)(2 s_ab + C2) / ((mu_a^2 + mu_b^2 + C1)(s_a^2 + s_b^2 + C2))}.
 * The score is the mean over those centres. When R is the whole image this is exactly the reference
 * Gaussian-window SSIM of Wang et al. (2004) with valid filtering; with a partial R, an edit made only outside R
 * leaves the score at exactly 1. Computed on luminance by default ({@link SsimOptions.Channels}).
 */
public final class MaskedSsim {
    private MaskedSsim() {
    }

    public static MetricValue compute(String name, BufferedImage a, BufferedImage b, PixelMask region,
                                      SsimOptions options) {
        ImagePlanes.requireSameSize(a, b, "SSIM");
        ImagePlanes.requireMaskSize(a, region, "SSIM");
        int w = a.getWidth();
        int h = a.getHeight();
        if (w < options.windowSize() || h < options.windowSize()) {
            return MetricValue.unavailable(name, "image " + w + "x" + h + " is smaller than the SSIM window "
                    + options.windowSize());
        }
        ImagePlanes pa = ImagePlanes.of(a);
        ImagePlanes pb = ImagePlanes.of(b);
        double[] score;
        if (options.channels() == SsimOptions.Channels.LUMINANCE) {
            score = meanSsim(pa.luminance(), pb.luminance(), w, h, region, options);
        } else {
            double s = 0;
            score = null;
            for (int c = 0; c < 3; c++) {
                score = meanSsim(pa.channel(c), pb.channel(c), w, h, region, options);
                if (score == null) {
                    break;
                }
                s += score[0];
            }
            if (score != null) {
                score = new double[]{s / 3, score[1]};
            }
        }
        if (score == null) {
            return MetricValue.unavailable(name, "no pixel of the region lies " + options.windowSize() / 2
                    + " or more pixels from the image border");
        }
        return MetricValue.of(name, score[0]);
    }

    /**
     * Mean SSIM of two planes over the region; returns {mean, number of centres}, or null when no centre
     * qualifies.
     */
    static double[] meanSsim(double[] a, double[] b, int w, int h, PixelMask region, SsimOptions o) {
        double[] g = o.gaussian1d();
        int r = o.windowSize() / 2;
        int n = w * h;
        // Region-weighted moments: m, m a, m b, m a^2, m b^2, m a b, filtered separably with g.
        double[][] f = new double[6][n];
        for (int i = 0; i < n; i++) {
            double m = region.get(i % w, i / w) ? 1 : 0;
            f[0][i] = m;
            f[1][i] = m * a[i];
            f[2][i] = m * b[i];
            f[3][i] = m * a[i] * a[i];
            f[4][i] = m * b[i] * b[i];
            f[5][i] = m * a[i] * b[i];
        }
        double[][] s = new double[6][];
        for (int k = 0; k < 6; k++) {
            s[k] = filterValid(f[k], w, h, g, r);
        }
        double c1 = o.c1();
        double c2 = o.c2();
        double sum = 0;
        long count = 0;
        for (int y = r; y < h - r; y++) {
            for (int x = r; x < w - r; x++) {
                if (!region.get(x, y)) {
                    continue;
                }
                int i = y * w + x;
                double wsum = s[0][i]; // > 0: the centre itself is in R
                double mua = s[1][i] / wsum;
                double mub = s[2][i] / wsum;
                double va = Math.max(0, s[3][i] / wsum - mua * mua);
                double vb = Math.max(0, s[4][i] / wsum - mub * mub);
                double cov = s[5][i] / wsum - mua * mub;
                double ssim = ((2 * mua * mub + c1) * (2 * cov + c2)) / ((mua * mua + mub * mub + c1) * (va + vb + c2));
                sum += ssim;
                count++;
            }
        }
        return count == 0 ? null : new double[]{sum / count, count};
    }

    /** Separable correlation with g at every centre whose window fits; other entries stay 0. */
    private static double[] filterValid(double[] in, int w, int h, double[] g, int r) {
        double[] tmp = new double[w * h];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = r; x < w - r; x++) {
                double acc = 0;
                for (int k = -r; k <= r; k++) {
                    acc += g[k + r] * in[row + x + k];
                }
                tmp[row + x] = acc;
            }
        }
        double[] out = new double[w * h];
        for (int y = r; y < h - r; y++) {
            for (int x = r; x < w - r; x++) {
                double acc = 0;
                for (int k = -r; k <= r; k++) {
                    acc += g[k + r] * tmp[(y + k) * w + x];
                }
                out[y * w + x] = acc;
            }
        }
        return out;
    }
}
