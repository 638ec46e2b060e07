package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.eval.Bilinear;
import org.junit.jupiter.api.Test;

/** The differentiable feature resize against eval's independent per-pixel bilinear (torch align_corners=False). */
class FeatureResizeTest {

    @Test
    void matchesPerPixelBilinearAndPassesGradients() {
        int c = 3;
        int h = 5;
        int w = 7;
        int oh = 12;
        int ow = 16;
        float[] x = new float[c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.37 * i) + 0.1f * (i % 5);
        }
        float[][] planes = new float[c][h * w];
        for (int k = 0; k < c; k++) {
            System.arraycopy(x, k * h * w, planes[k], 0, h * w);
        }
        float[][] want = Bilinear.resize(planes, h, w, oh, ow);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray in = m.create(x, new Shape(1, c, h, w));
            in.setRequiresGradient(true);
            float[] got;
            float[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = FeatureResize.bilinear(in, oh, ow);
                assertEquals(new Shape(1, c, oh, ow), out.getShape());
                got = out.toFloatArray();
                gc.backward(out.sum());
            }
            grad = in.getGradient().toFloatArray();
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < oh * ow; i++) {
                    assertEquals(want[k][i], got[k * oh * ow + i], 1e-5, "channel " + k + " pixel " + i);
                }
            }
            // d(sum out)/d(in) = how much each source pixel contributes; the weights of every output sum to 1
            double total = 0;
            for (float g : grad) {
                total += g;
            }
            assertEquals((double) c * oh * ow, total, 1e-3);
        }
        // downsampling too (the map is usually enlarged, but any size must work)
        float[][] down = Bilinear.resize(planes, h, w, 2, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = FeatureResize.bilinear(m.create(x, new Shape(c, h, w)), 2, 3).toFloatArray();
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < 6; i++) {
                    assertEquals(down[k][i], got[k * 6 + i], 1e-5);
                }
            }
        }
    }
}
