package io.rotationdrag.edit;

import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.Vec2;
import java.awt.image.BufferedImage;

/**
 * The pixel-space half of {@link TrackerKind#ROTATE_PIXELS}: moves each part's pixels with its transform, on the
 * input's own grid.
 * <ol>
 *   <li>Soft part alpha A: the part's region box-filtered 3 x 3 (a one-pixel soft edge).</li>
 *   <li>Background: the input with every part's footprint (A &gt; 0) filled by harmonic interpolation from the
 *       pixels around it (Jacobi iterations of the 4-neighbour mean, started from the mean of the footprint's
 *       outer ring), a smooth first guess the model then repaints.</li>
 *   <li>Backward mapping, bilinear, premultiplied: output pixel q samples s = T^-1(q) and gets
 *       out = (A I)(s) + (1 - A(s)) out, with A and A I read as 0 outside the image, part after part.</li>
 *   <li>Unknown: footprint pixels that the moved parts do not cover fully (coverage &lt; 0.999), grown by the
 *       seam width, inside the mask, except the moved part's own pixels (coverage &gt;= 0.5). Everything else is known:
 *       the moved part or the untouched input.</li>
 * </ol>
 */
final class RegionWarp {

    /** The warped image (interleaved RGB floats, 0..255), the unknown pixels and the moved parts' coverage. */
    record Warped(int width, int height, float[] rgb, boolean[] unknown, float[] coverage) {
        BufferedImage image() {
            return ImageOps.fromRgbFloats(rgb, width, height);
        }
    }

    /** Coverage from which a pixel counts as the moved part (kept, never repainted). */
    static final float MOVED = 0.5f;

    private RegionWarp() {
    }

    /**
     * @param input  input image (the grid of {@code motion})
     * @param mask   editable region at the input size, or null
     * @param seamPx how far the unknown region reaches past the uncovered pixels
     */
    static Warped warp(BufferedImage input, BinaryMask mask, RegionMotion motion, int seamPx) {
        int w = input.getWidth();
        int h = input.getHeight();
        if (w != motion.width() || h != motion.height()) {
            throw new IllegalArgumentException("motion planned on " + motion.width() + "x" + motion.height()
                    + ", image is " + w + "x" + h);
        }
        float[] img = ImageOps.rgbFloats(ImageOps.toRgb(input));
        int n = motion.parts().size();
        float[][] alpha = new float[n][];
        boolean[] footprint = new boolean[w * h];
        for (int i = 0; i < n; i++) {
            alpha[i] = box3(motion.parts().get(i).region(), w, h);
            for (int k = 0; k < footprint.length; k++) {
                footprint[k] |= alpha[i][k] > 0;
            }
        }
        float[] out = harmonicFill(img, footprint, w, h);
        float[] coverage = new float[w * h];
        for (int i = 0; i < n; i++) {
            float[] a = alpha[i];
            float[] premult = new float[3 * w * h];
            for (int k = 0; k < w * h; k++) {
                for (int c = 0; c < 3; c++) {
                    premult[3 * k + c] = a[k] * img[3 * k + c];
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    Vec2 s = motion.sourceOnGrid(i, new Vec2(x, y), w, h);
                    double as = sampleZero(a, 1, 0, s, w, h);
                    if (as <= 0) {
                        continue;
                    }
                    int k = y * w + x;
                    for (int c = 0; c < 3; c++) {
                        out[3 * k + c] = (float) (sampleZero(premult, 3, c, s, w, h) + (1 - as) * out[3 * k + c]);
                    }
                    coverage[k] = (float) (as + (1 - as) * coverage[k]);
                }
            }
        }
        boolean[] uncovered = new boolean[w * h];
        for (int k = 0; k < uncovered.length; k++) {
            uncovered[k] = footprint[k] && coverage[k] < 0.999f;
        }
        boolean[] unknown = seamPx > 0 ? Feather.dilate(uncovered, w, h, seamPx) : uncovered;
        for (int k = 0; k < unknown.length; k++) {
            // the moved part itself is always known: the seam grows into the background, not into the part
            unknown[k] &= coverage[k] < MOVED;
            if (mask != null && !mask.isEmpty()) {
                unknown[k] &= mask.get(k % w, k / w);
            }
        }
        return new Warped(w, h, out, unknown, coverage);
    }

    /** Bilinear sample of channel c of an interleaved grid at s, each of the four neighbours 0 outside the grid. */
    static double sampleZero(float[] f, int channels, int c, Vec2 s, int w, int h) {
        int x0 = (int) Math.floor(s.x());
        int y0 = (int) Math.floor(s.y());
        double fx = s.x() - x0;
        double fy = s.y() - y0;
        return (1 - fx) * (1 - fy) * at(f, channels, c, x0, y0, w, h) + fx * (1 - fy) * at(f, channels, c, x0 + 1, y0, w, h)
                + (1 - fx) * fy * at(f, channels, c, x0, y0 + 1, w, h) + fx * fy * at(f, channels, c, x0 + 1, y0 + 1, w, h);
    }

    private static double at(float[] f, int channels, int c, int x, int y, int w, int h) {
        return x < 0 || y < 0 || x >= w || y >= h ? 0 : f[(y * w + x) * channels + c];
    }

    /** 3 x 3 box filter of a binary region (values in {0, 1/9, ..., 1}), the border replicated. */
    static float[] box3(boolean[] r, int w, int h) {
        float[] a = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int s = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = Math.max(0, Math.min(w - 1, x + dx));
                        int ny = Math.max(0, Math.min(h - 1, y + dy));
                        s += r[ny * w + nx] ? 1 : 0;
                    }
                }
                a[y * w + x] = s / 9f;
            }
        }
        return a;
    }

    /**
     * The image with the hole's pixels replaced by a harmonic interpolation of the pixels around it: start from the
     * mean of the hole's outer ring, then 2 max(W, H) Jacobi sweeps of the 4-neighbour mean over the hole (known
     * neighbours fixed; the image border reflects).
     */
    static float[] harmonicFill(float[] img, boolean[] hole, int w, int h) {
        float[] out = img.clone();
        double[] ring = new double[3];
        int nRing = 0;
        for (int k = 0; k < hole.length; k++) {
            if (hole[k]) {
                continue;
            }
            int x = k % w;
            int y = k / w;
            boolean touches = (x > 0 && hole[k - 1]) || (x < w - 1 && hole[k + 1]) || (y > 0 && hole[k - w])
                    || (y < h - 1 && hole[k + w]);
            if (touches) {
                for (int c = 0; c < 3; c++) {
                    ring[c] += img[3 * k + c];
                }
                nRing++;
            }
        }
        if (nRing == 0) {
            return out; // no hole, or a hole that is the whole image: nothing to interpolate from
        }
        for (int k = 0; k < hole.length; k++) {
            if (hole[k]) {
                for (int c = 0; c < 3; c++) {
                    out[3 * k + c] = (float) (ring[c] / nRing);
                }
            }
        }
        int sweeps = 2 * Math.max(w, h);
        float[] next = out.clone();
        for (int it = 0; it < sweeps; it++) {
            for (int k = 0; k < hole.length; k++) {
                if (!hole[k]) {
                    continue;
                }
                int x = k % w;
                int y = k / w;
                int l = x > 0 ? k - 1 : k + 1;
                int r = x < w - 1 ? k + 1 : k - 1;
                int u = y > 0 ? k - w : k + w;
                int d = y < h - 1 ? k + w : k - w;
                for (int c = 0; c < 3; c++) {
                    next[3 * k + c] = 0.25f * (out[3 * l + c] + out[3 * r + c] + out[3 * u + c] + out[3 * d + c]);
                }
            }
            float[] t = out;
            out = next;
            next = t;
            System.arraycopy(out, 0, next, 0, out.length);
        }
        return out;
    }
}
