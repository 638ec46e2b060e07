package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;

/**
 * Bilinear resize of a feature map as torch's {@code F.interpolate(mode="bilinear", align_corners=False)} without
 * antialiasing, written as two matrix products so it is differentiable and cheap:
 * {@code out = R_y x R_x^T} with R[o, i] the interpolation weight of source index i for output index o,
 * s = max(0, (o + 0.5) * in / out - 0.5), i0 = floor(s), i1 = min(i0 + 1, in - 1), weights 1 - (s - i0), s - i0.
 */
public final class FeatureResize {

    private FeatureResize() {
    }

    /** [B, C, h, w] (or [C, h, w]) to the same rank with spatial size outH x outW; results in x's manager. */
    public static NDArray bilinear(NDArray x, int outH, int outW) {
        Shape s = x.getShape();
        int d = s.dimension();
        if (d < 3) {
            throw new IllegalArgumentException("expected [.., h, w] features, got " + s);
        }
        int h = (int) s.get(d - 2);
        int w = (int) s.get(d - 1);
        if (h == outH && w == outW) {
            return x.duplicate();
        }
        NDManager m = x.getManager();
        NDArray ry = OwnedArrays.of(m, weights(h, outH), new Shape(outH, h), x.getDataType());
        NDArray rxT = OwnedArrays.of(m, transpose(weights(w, outW), outW, w), new Shape(w, outW), x.getDataType());
        return ry.matMul(x.matMul(rxT));
    }

    /** Row-major [out, in] interpolation matrix. */
    static float[] weights(int in, int out) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + in + " -> " + out);
        }
        float[] r = new float[out * in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double src = Math.max(0, (o + 0.5) * scale - 0.5);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double l = src - i0;
            r[o * in + i0] += (float) (1 - l);
            r[o * in + i1] += (float) l;
        }
        return r;
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }
}
