package io.rotationdrag.eval;

/**
 * SSIM settings. Defaults are Wang, Bovik, Sheikh, Simoncelli (2004): an 11x11 Gaussian window with
 * sigma 1.5, K1 = 0.01, K2 = 0.03, dynamic range L = 255, computed on luminance (BT.601 Y).
 */
public record SsimOptions(int windowSize, double sigma, double k1, double k2, double dataRange, Channels channels) {

    /** Which image plane(s) SSIM is computed on. */
    public enum Channels {
        /** Y = 0.299 R + 0.587 G + 0.114 B (Wang et al. evaluate grey images; MATLAB's rgb2gray weights). */
        LUMINANCE,
        /** SSIM of R, G and B separately, then the mean of the three. */
        RGB_MEAN
    }

    public SsimOptions {
        if (windowSize < 1 || windowSize % 2 == 0) {
            throw new IllegalArgumentException("SSIM window size must be odd and positive, got " + windowSize);
        }
        if (!(sigma > 0) || !(k1 > 0) || !(k2 > 0) || !(dataRange > 0)) {
            throw new IllegalArgumentException("SSIM sigma, K1, K2 and data range must be positive");
        }
        if (channels == null) {
            throw new IllegalArgumentException("SSIM channels must be set");
        }
    }

    public static SsimOptions defaults() {
        return new SsimOptions(11, 1.5, 0.01, 0.03, 255.0, Channels.LUMINANCE);
    }

    public double c1() {
        return (k1 * dataRange) * (k1 * dataRange);
    }

    public double c2() {
        return (k2 * dataRange) * (k2 * dataRange);
    }

    /** Normalised 1-D Gaussian taps g_i = exp(-i^2 / (2 sigma^2)) / sum, i = -r..r. */
    public double[] gaussian1d() {
        int r = windowSize / 2;
        double[] g = new double[windowSize];
        double s = 0;
        for (int i = -r; i <= r; i++) {
            g[i + r] = Math.exp(-(i * (double) i) / (2 * sigma * sigma));
            s += g[i + r];
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= s;
        }
        return g;
    }
}
