package io.rotationdrag.eval;

import java.awt.image.BufferedImage;

/** 8-bit sRGB values of an image as double planes in [0, 255] (no colour management, no gamma change). */
public final class ImagePlanes {
    /** ITU-R BT.601 luma weights, the ones MATLAB's rgb2gray uses for Wang et al.'s reference SSIM. */
    public static final double LUMA_R = 0.299;
    public static final double LUMA_G = 0.587;
    public static final double LUMA_B = 0.114;

    private final int width;
    private final int height;
    private final double[][] rgb;

    private ImagePlanes(int width, int height, double[][] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public static ImagePlanes of(BufferedImage image) {
        if (image == null) {
            throw new IllegalArgumentException("image is null");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        double[][] p = new double[3][w * h];
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            p[0][i] = (argb[i] >> 16) & 0xff;
            p[1][i] = (argb[i] >> 8) & 0xff;
            p[2][i] = argb[i] & 0xff;
        }
        return new ImagePlanes(w, h, p);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Channel 0 = R, 1 = G, 2 = B; the returned array is shared, do not modify. */
    public double[] channel(int c) {
        return rgb[c];
    }

    /** Y = 0.299 R + 0.587 G + 0.114 B, unrounded. */
    public double[] luminance() {
        double[] y = new double[width * height];
        for (int i = 0; i < y.length; i++) {
            y[i] = LUMA_R * rgb[0][i] + LUMA_G * rgb[1][i] + LUMA_B * rgb[2][i];
        }
        return y;
    }

    static void requireSameSize(BufferedImage a, BufferedImage b, String what) {
        if (a == null || b == null) {
            throw new IllegalArgumentException(what + ": image is null");
        }
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new IllegalArgumentException(what + ": image sizes differ, " + a.getWidth() + "x" + a.getHeight()
                    + " vs " + b.getWidth() + "x" + b.getHeight() + " (resize the edited image back to the input size)");
        }
    }

    static void requireMaskSize(BufferedImage a, PixelMask m, String what) {
        if (m == null) {
            throw new IllegalArgumentException(what + ": region is null");
        }
        if (a.getWidth() != m.width() || a.getHeight() != m.height()) {
            throw new IllegalArgumentException(what + ": mask is " + m.width() + "x" + m.height() + " but image is "
                    + a.getWidth() + "x" + a.getHeight());
        }
    }
}
