package io.rotationdrag.eval;

/**
 * Bilinear resampling as torch's {@code F.interpolate(x, size, mode='bilinear', align_corners=False)} without
 * antialiasing (the call DragBench's evaluation scripts make): for output index {@code o},
 * {@code s = max(0, (o + 0.5) * in / out - 0.5)}, {@code i0 = floor(s)}, {@code i1 = min(i0 + 1, in - 1)},
 * weights {@code 1 - (s - i0)} and {@code s - i0}.
 */
public final class Bilinear {
    private Bilinear() {
    }

    /** Source sample positions and weights along one axis. */
    public record Taps(int[] i0, int[] i1, double[] w1) {
        public int length() {
            return i0.length;
        }
    }

    public static Taps taps(int in, int out) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + in + " -> " + out);
        }
        int[] i0 = new int[out];
        int[] i1 = new int[out];
        double[] w1 = new double[out];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double s = Math.max(0, (o + 0.5) * scale - 0.5);
            int a = Math.min((int) Math.floor(s), in - 1);
            i0[o] = a;
            i1[o] = Math.min(a + 1, in - 1);
            w1[o] = s - a;
        }
        return new Taps(i0, i1, w1);
    }

    /** Resizes {@code planes} (C planes, each {@code h * w} row-major) to {@code oh x ow}. */
    public static float[][] resize(float[][] planes, int h, int w, int oh, int ow) {
        Taps ty = taps(h, oh);
        Taps tx = taps(w, ow);
        float[][] out = new float[planes.length][oh * ow];
        for (int c = 0; c < planes.length; c++) {
            float[] p = planes[c];
            float[] q = out[c];
            for (int y = 0; y < oh; y++) {
                double wy = ty.w1()[y];
                int r0 = ty.i0()[y] * w;
                int r1 = ty.i1()[y] * w;
                for (int x = 0; x < ow; x++) {
                    double wx = tx.w1()[x];
                    int x0 = tx.i0()[x];
                    int x1 = tx.i1()[x];
                    double top = (1 - wx) * p[r0 + x0] + wx * p[r0 + x1];
                    double bot = (1 - wx) * p[r1 + x0] + wx * p[r1 + x1];
                    q[y * ow + x] = (float) ((1 - wy) * top + wy * bot);
                }
            }
        }
        return out;
    }

    /** RGB planes of an image scaled to [-1, 1] ({@code v / 127.5 - 1}). */
    public static float[][] toSigned(java.awt.image.BufferedImage img) {
        ImagePlanes p = ImagePlanes.of(img);
        float[][] out = new float[3][];
        for (int c = 0; c < 3; c++) {
            double[] src = p.channel(c);
            float[] dst = new float[src.length];
            for (int i = 0; i < src.length; i++) {
                dst[i] = (float) (src[i] / 127.5 - 1);
            }
            out[c] = dst;
        }
        return out;
    }
}
