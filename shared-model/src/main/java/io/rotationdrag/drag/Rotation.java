package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.awt.image.BufferedImage;

/**
 * In-plane rotation of points, images and feature maps, all under one convention.
 *
 * <p><b>Convention.</b> Image coordinates: x to the right, y downwards, pixel (i, j) centred at (i, j). Angles are in
 * degrees; a positive angle rotates <em>counter-clockwise as seen on screen</em>. Because y points down, the point
 * rotation of (x, y) about c by a is
 * <pre>
 *   x' = c.x + (x - c.x) cos a + (y - c.y) sin a
 *   y' = c.y - (x - c.x) sin a + (y - c.y) cos a
 * </pre>
 * (a point right of the centre moves up for a = +90). Images and feature maps are rotated about their own centre
 * ((W-1)/2, (H-1)/2), keep their size (corners are cut, uncovered pixels get a fill value) and are resampled by
 * inverse mapping: output pixel q takes the source at rotatePoint(q, c, -a). Hence content at p lands at
 * rotatePoint(p, c, a): a bright dot and its point rotation agree.
 *
 * <p><b>Borders.</b> A source location counts as inside when -0.5 &lt;= sx &lt; W-0.5 and the same for y (the area of
 * the pixel grid); inside it, bilinear sampling replicates the edge pixels; outside it the fill value is written.
 */
public final class Rotation {

    /** Interpolation used when resampling a rotated image or feature map. */
    public enum Interpolation { NEAREST, BILINEAR }

    /** The grey (128, 128, 128) the reference uses to fill uncovered image pixels. */
    public static final int GREY_RGB = 0x808080;

    private Rotation() {
    }

    /** Centre of a W x H pixel grid: ((W-1)/2, (H-1)/2). */
    public static Vec2 centre(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("grid size must be positive, got " + width + "x" + height);
        }
        return new Vec2((width - 1) / 2.0, (height - 1) / 2.0);
    }

    /** Maps any finite angle into (-180, 180]. */
    public static double normalizeDegrees(double degrees) {
        if (!Double.isFinite(degrees)) {
            throw new IllegalArgumentException("angle must be finite, got " + degrees);
        }
        double a = degrees % 360.0; // (-360, 360)
        if (a <= -180.0) {
            a += 360.0;
        } else if (a > 180.0) {
            a -= 360.0;
        }
        return a;
    }

    /** Rotates {@code p} about {@code centre} by {@code degrees}, counter-clockwise on screen for positive angles. */
    public static Vec2 rotatePoint(Vec2 p, Vec2 centre, double degrees) {
        double r = Math.toRadians(normalizeDegrees(degrees));
        double c = Math.cos(r);
        double s = Math.sin(r);
        double dx = p.x() - centre.x();
        double dy = p.y() - centre.y();
        return new Vec2(centre.x() + dx * c + dy * s, centre.y() - dx * s + dy * c);
    }

    /**
     * Rotates an image about its centre (same size, no expansion). Alpha is dropped: the result is TYPE_INT_RGB.
     *
     * @param fillRgb 0xRRGGBB written where the rotated image has no source pixel
     */
    public static BufferedImage rotate(BufferedImage image, double degrees, Interpolation interpolation, int fillRgb) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] src = image.getRGB(0, 0, w, h, null, 0, w);
        int[] dst = new int[w * h];
        Sampling map = Sampling.inverseRotation(w, h, degrees);
        for (int k = 0; k < w * h; k++) {
            if (!map.valid[k]) {
                dst[k] = fillRgb & 0xFFFFFF;
                continue;
            }
            if (interpolation == Interpolation.NEAREST) {
                dst[k] = src[(int) map.nearest[k]] & 0xFFFFFF;
                continue;
            }
            double r = 0;
            double g = 0;
            double b = 0;
            for (int c = 0; c < 4; c++) {
                int px = src[(int) map.corner[c][k]];
                double wgt = map.weight[c][k];
                r += wgt * ((px >> 16) & 0xFF);
                g += wgt * ((px >> 8) & 0xFF);
                b += wgt * (px & 0xFF);
            }
            dst[k] = (clampByte(r) << 16) | (clampByte(g) << 8) | clampByte(b);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, dst, 0, w);
        return out;
    }

    /**
     * Rotates a feature map or image tensor of shape [C, H, W] (or [1, C, H, W], kept as given) about its centre.
     * Differentiable with respect to the input (a gather with constant weights). The result and its temporaries
     * belong to the input's manager.
     *
     * @param fill value written where the rotated map has no source (e.g. 0 for features)
     */
    public static NDArray rotate(NDArray map, double degrees, Interpolation interpolation, float fill) {
        Shape shape = map.getShape();
        NDArray chw = FeatureMap.chw(map);
        int h = (int) chw.getShape().get(1);
        int w = (int) chw.getShape().get(2);
        long channels = chw.getShape().get(0);
        Sampling s = Sampling.inverseRotation(w, h, degrees);
        NDManager m = map.getManager();
        NDArray flat = chw.reshape(channels, (long) h * w);
        NDArray out;
        if (interpolation == Interpolation.NEAREST) {
            out = FeatureMap.takeColumns(flat, s.nearest);
        } else {
            out = null;
            for (int c = 0; c < 4; c++) {
                NDArray wc = OwnedArrays.of(m, s.weight[c], new Shape(s.weight[c].length), map.getDataType());
                NDArray term = FeatureMap.takeColumns(flat, s.corner[c]).mul(wc);
                out = out == null ? term : out.add(term);
            }
        }
        float[] valid = new float[w * h];
        for (int k = 0; k < valid.length; k++) {
            valid[k] = s.valid[k] ? 1f : 0f;
        }
        NDArray v = OwnedArrays.of(m, valid, new Shape(valid.length), map.getDataType());
        out = out.mul(v).add(OwnedArrays.mul(v.neg().add(1f), fill));
        return out.reshape(shape);
    }

    private static int clampByte(double v) {
        long r = Math.round(v);
        return (int) Math.max(0, Math.min(255, r));
    }

    /** Precomputed inverse-mapping lookups of one rotation of a W x H grid. */
    static final class Sampling {
        final boolean[] valid;
        final long[] nearest;
        final long[][] corner = new long[4][];
        final float[][] weight = new float[4][];

        private Sampling(int n) {
            valid = new boolean[n];
            nearest = new long[n];
            for (int c = 0; c < 4; c++) {
                corner[c] = new long[n];
                weight[c] = new float[n];
            }
        }

        static Sampling inverseRotation(int w, int h, double degrees) {
            Vec2 centre = centre(w, h);
            double r = Math.toRadians(normalizeDegrees(-degrees)); // inverse map: rotate the output pixel back
            double cos = Math.cos(r);
            double sin = Math.sin(r);
            Sampling s = new Sampling(w * h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int k = y * w + x;
                    double dx = x - centre.x();
                    double dy = y - centre.y();
                    double sx = centre.x() + dx * cos + dy * sin;
                    double sy = centre.y() - dx * sin + dy * cos;
                    s.valid[k] = sx >= -0.5 && sx < w - 0.5 && sy >= -0.5 && sy < h - 0.5;
                    int nx = (int) Math.max(0, Math.min(w - 1, Math.round(sx)));
                    int ny = (int) Math.max(0, Math.min(h - 1, Math.round(sy)));
                    s.nearest[k] = (long) ny * w + nx;
                    Bilinear b = Bilinear.at(sx, sy, w, h);
                    s.corner[0][k] = (long) b.y0 * w + b.x0;
                    s.corner[1][k] = (long) b.y0 * w + b.x1;
                    s.corner[2][k] = (long) b.y1 * w + b.x0;
                    s.corner[3][k] = (long) b.y1 * w + b.x1;
                    s.weight[0][k] = (float) ((1 - b.fx) * (1 - b.fy));
                    s.weight[1][k] = (float) (b.fx * (1 - b.fy));
                    s.weight[2][k] = (float) ((1 - b.fx) * b.fy);
                    s.weight[3][k] = (float) (b.fx * b.fy);
                }
            }
            return s;
        }
    }

    /** Corner indices and fractions of a bilinear lookup with edge replication (coordinates clamped to the grid). */
    record Bilinear(int x0, int x1, int y0, int y1, double fx, double fy) {
        static Bilinear at(double x, double y, int w, int h) {
            double cx = Math.max(0, Math.min(w - 1, x));
            double cy = Math.max(0, Math.min(h - 1, y));
            int x0 = Math.min((int) Math.floor(cx), Math.max(0, w - 2));
            int y0 = Math.min((int) Math.floor(cy), Math.max(0, h - 2));
            int x1 = Math.min(x0 + 1, w - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            return new Bilinear(x0, x1, y0, y1, cx - x0, cy - y0);
        }
    }
}
