package io.rotationdrag.eval;

/**
 * DIFT-style point matching, exactly as DragBench's {@code run_eval_point_matching.py} does it, but without
 * materialising the upsampled maps: both low-resolution maps are (conceptually) bilinearly upsampled to the full
 * image size, the source vector is read at the handle pixel, and the edited map's pixel with the highest cosine
 * similarity (global arg-max, first in row-major order on ties) is the match.
 *
 * <p>Why exact: an upsampled vector is a blend {@code u(p) = sum_i w_i f_i} of at most four neighbouring cells,
 * so {@code s . u(p) = sum_i w_i (s . f_i)} and {@code |u(p)|^2 = sum_ij w_i w_j (f_i . f_j)}; the dot products
 * between neighbouring cells (self, right, down, down-right, down-left) are computed once per map. Memory is
 * O(h w) instead of O(C H W) (1280 x 512 x 512 floats would be 1.3 GB for SD at 512 px).
 */
public final class DiftMatcher {
    private static final double EPS = 1e-8; // torch.nn.CosineSimilarity default

    private final FeatureMap edited;
    private final Bilinear.Taps ty;
    private final Bilinear.Taps tx;
    private final double[] self;
    private final double[] right;
    private final double[] down;
    private final double[] downRight;
    private final double[] downLeft;

    public DiftMatcher(FeatureMap edited) {
        this.edited = edited;
        int h = edited.height();
        int w = edited.width();
        this.ty = Bilinear.taps(h, edited.imageHeight());
        this.tx = Bilinear.taps(w, edited.imageWidth());
        int n = h * w;
        self = new double[n];
        right = new double[n];
        down = new double[n];
        downRight = new double[n];
        downLeft = new double[n];
        float[] d = edited.data();
        int plane = n;
        for (int c = 0; c < edited.channels(); c++) {
            int o = c * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    double v = d[o + i];
                    self[i] += v * v;
                    if (x + 1 < w) {
                        right[i] += v * d[o + i + 1];
                    }
                    if (y + 1 < h) {
                        down[i] += v * d[o + i + w];
                        if (x + 1 < w) {
                            downRight[i] += v * d[o + i + w + 1];
                        }
                        if (x > 0) {
                            downLeft[i] += v * d[o + i + w - 1];
                        }
                    }
                }
            }
        }
    }

    /** The upsampled source map's vector at pixel (x, y) (integer pixel indices, clamped to the image). */
    public static float[] sourceVector(FeatureMap source, int x, int y) {
        int px = Math.max(0, Math.min(source.imageWidth() - 1, x));
        int py = Math.max(0, Math.min(source.imageHeight() - 1, y));
        Bilinear.Taps ty = Bilinear.taps(source.height(), source.imageHeight());
        Bilinear.Taps tx = Bilinear.taps(source.width(), source.imageWidth());
        int y0 = ty.i0()[py];
        int y1 = ty.i1()[py];
        int x0 = tx.i0()[px];
        int x1 = tx.i1()[px];
        double wy = ty.w1()[py];
        double wx = tx.w1()[px];
        float[] v = new float[source.channels()];
        for (int c = 0; c < v.length; c++) {
            double top = (1 - wx) * source.at(c, y0, x0) + wx * source.at(c, y0, x1);
            double bot = (1 - wx) * source.at(c, y1, x0) + wx * source.at(c, y1, x1);
            v[c] = (float) ((1 - wy) * top + wy * bot);
        }
        return v;
    }

    /** Pixel (x, y) of the edited image whose feature is most cosine-similar to {@code s}. */
    public int[] match(float[] s) {
        if (s.length != edited.channels()) {
            throw new IllegalArgumentException("source vector has " + s.length + " channels, map has "
                    + edited.channels());
        }
        int h = edited.height();
        int w = edited.width();
        double[] dot = new double[h * w];
        float[] d = edited.data();
        double sn = 0;
        for (int c = 0; c < s.length; c++) {
            int o = c * h * w;
            double sc = s[c];
            sn += sc * sc;
            for (int i = 0; i < h * w; i++) {
                dot[i] += sc * d[o + i];
            }
        }
        double sNorm = Math.sqrt(sn);
        int H = edited.imageHeight();
        int W = edited.imageWidth();
        double best = Double.NEGATIVE_INFINITY;
        int bx = 0;
        int by = 0;
        int[] cell = new int[4];
        double[] wt = new double[4];
        for (int py = 0; py < H; py++) {
            int y0 = ty.i0()[py];
            int y1 = ty.i1()[py];
            double wy = ty.w1()[py];
            for (int px = 0; px < W; px++) {
                int x0 = tx.i0()[px];
                int x1 = tx.i1()[px];
                double wx = tx.w1()[px];
                cell[0] = y0 * w + x0;
                cell[1] = y0 * w + x1;
                cell[2] = y1 * w + x0;
                cell[3] = y1 * w + x1;
                wt[0] = (1 - wy) * (1 - wx);
                wt[1] = (1 - wy) * wx;
                wt[2] = wy * (1 - wx);
                wt[3] = wy * wx;
                double num = 0;
                double n2 = 0;
                for (int i = 0; i < 4; i++) {
                    if (wt[i] == 0) {
                        continue;
                    }
                    num += wt[i] * dot[cell[i]];
                    for (int j = 0; j < 4; j++) {
                        if (wt[j] != 0) {
                            n2 += wt[i] * wt[j] * gram(cell[i], cell[j], w);
                        }
                    }
                }
                double cos = num / Math.max(sNorm * Math.sqrt(Math.max(0, n2)), EPS);
                if (cos > best) {
                    best = cos;
                    bx = px;
                    by = py;
                }
            }
        }
        return new int[]{bx, by};
    }

    private double gram(int a, int b, int w) {
        int i = Math.min(a, b);
        int j = Math.max(a, b);
        int dy = j / w - i / w;
        int dx = j % w - i % w;
        if (dy == 0 && dx == 0) {
            return self[i];
        } else if (dy == 0 && dx == 1) {
            return right[i];
        } else if (dy == 1 && dx == 0) {
            return down[i];
        } else if (dy == 1 && dx == 1) {
            return downRight[i];
        } else if (dy == 1 && dx == -1) {
            return downLeft[i];
        }
        throw new IllegalStateException("cells " + a + " and " + b + " are not neighbours");
    }
}
