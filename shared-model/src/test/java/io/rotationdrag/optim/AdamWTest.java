package io.rotationdrag.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    /** Scalar AdamW written out from the torch.optim.AdamW algorithm, for comparison. */
    private static double[] reference(double p0, double[] grads, double lr, double b1, double b2, double eps,
                                      double wd) {
        double p = p0, m = 0, v = 0;
        double[] out = new double[grads.length];
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1];
            p *= 1 - lr * wd;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            p -= lr * (m / (1 - Math.pow(b1, t))) / (Math.sqrt(v / (1 - Math.pow(b2, t))) + eps);
            out[t - 1] = p;
        }
        return out;
    }

    @Test
    void matchesTheScalarAlgorithmOnAQuadratic() {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray x = nd.create(new float[]{1.5f, -2f});
            x.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("x", x);
            double lr = 0.1, wd = 0.01;
            double[] p0 = {1.5, -2};
            double[][] gradsSeen = new double[2][5];
            try (AdamW opt = new AdamW(nd, lr, 0.9, 0.999, wd, 1e-8, 0)) {
                for (int step = 0; step < 5; step++) {
                    try (NDManager sub = nd.newSubManager();
                         GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = x.square().sum().mul(3);     // d/dx = 6 x
                        float[] xv = x.toFloatArray();
                        gradsSeen[0][step] = 6 * xv[0];
                        gradsSeen[1][step] = 6 * xv[1];
                        gc.backward(loss);
                        loss.attach(sub);
                    }
                    opt.stepOnGradients(params.values(), lr);
                }
            }
            float[] got = x.toFloatArray();
            for (int i = 0; i < 2; i++) {
                double[] ref = reference(p0[i], gradsSeen[i], lr, 0.9, 0.999, 1e-8, wd);
                assertEquals(ref[4], got[i], 1e-5);
            }
            assertTrue(Math.abs(got[0]) < 1.5 && Math.abs(got[1]) < 2);
        }
    }

    @Test
    void clipsTheGlobalNormAndZeroesGradients() {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray x = nd.create(new float[]{3f, 4f});
            x.setRequiresGradient(true);
            Map<String, NDArray> params = Map.of("x", x);
            try (AdamW opt = new AdamW(nd, 0.1, 0.9, 0.999, 0, 1e-8, 1.0)) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(x.square().sum().div(2));          // gradient = x = (3, 4), norm 5
                }
                assertEquals(5.0, opt.stepOnGradients(params.values(), 0.1), 1e-5);
                float[] g = x.getGradient().toFloatArray();
                assertEquals(0f, g[0]);
                assertEquals(0f, g[1]);
            }
        }
    }

    @Test
    void adamsFirstStepMovesEveryCoordinateByTheLearningRateAgainstItsGradientSign() {
        // t = 1: m^ = g, v^ = g^2, so the step is lr * g / (|g| + eps) = lr * sign(g), whatever |g| is
        try (NDManager nd = NDManager.newBaseManager(); AdamW adam = AdamW.adam(nd, 0.05)) {
            NDArray p = nd.create(new float[]{1f, -2f, 0.5f, 3f});
            NDArray g = nd.create(new float[]{1e-3f, -40f, 2f, -0.25f});
            adam.step(java.util.List.of(p), java.util.List.of(g));
            float[] got = p.toFloatArray();
            float[] want = {0.95f, -1.95f, 0.45f, 3.05f};
            for (int i = 0; i < 4; i++) {
                assertEquals(want[i], got[i], 1e-5, "coordinate " + i);
            }
            assertEquals(1, adam.steps());
            assertTrue(Double.isNaN(adam.lastGradNorm()), "no clipping, no norm");
        }
    }

    @Test
    void clippingScalesTheGradientBeforeTheMoments() {
        // two steps with gradient (3, 4) clipped to norm 1 equal two unclipped steps with gradient (0.6, 0.8)
        try (NDManager nd = NDManager.newBaseManager();
             AdamW clipped = new AdamW(nd, 0.1, 0.9, 0.999, 0.01, 1e-8, 1.0);
             AdamW plain = new AdamW(nd, 0.1, 0.9, 0.999, 0.01, 1e-8)) {
            NDArray a = nd.create(new float[]{1f, 1f});
            NDArray b = nd.create(new float[]{1f, 1f});
            for (int s = 0; s < 2; s++) {
                assertEquals(5.0, clipped.step(java.util.List.of(a), java.util.List.of(nd.create(new float[]{3f, 4f})),
                        0.1), 1e-6);
                plain.step(java.util.List.of(b), java.util.List.of(nd.create(new float[]{0.6f, 0.8f})));
            }
            assertEquals(b.getFloat(0), a.getFloat(0), 1e-6);
            assertEquals(b.getFloat(1), a.getFloat(1), 1e-6);
        }
    }
}
