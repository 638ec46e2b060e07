package io.rotationdrag.diffusion.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DdimSchedulerTest {

    private static NDManager manager;
    private final DdimScheduler sd = DdimScheduler.sd15();

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** abar_t computed a different way: exp(sum log(1 - beta_i)) with beta_i from the closed form. */
    private static double independentAlphaBar(int t, double b0, double b1, boolean scaled) {
        double logSum = 0;
        for (int i = 0; i <= t; i++) {
            double frac = i / 999.0;
            double beta = scaled
                    ? Math.pow(Math.sqrt(b0) * (1 - frac) + Math.sqrt(b1) * frac, 2)
                    : b0 * (1 - frac) + b1 * frac;
            logSum += Math.log1p(-beta);
        }
        return Math.exp(logSum);
    }

    @Test
    void alphasCumprodMatchClosedFormAndPublishedValues() {
        double[] ac = sd.alphasCumprod();
        assertEquals(1000, ac.length);
        for (int t : new int[] {0, 1, 2, 21, 261, 500, 681, 981, 999}) {
            assertEquals(independentAlphaBar(t, 0.00085, 0.012, true), ac[t], 1e-12, "abar_" + t);
        }
        double[] betas = sd.betas();
        assertEquals(0.00085, betas[0], 1e-15);
        assertEquals(0.012, betas[999], 1e-15);
        assertEquals(0.0008546986, betas[1], 1e-10);
        // torch float32 reference values (spec 7.1); float64 differs by < 1e-6 relative
        int[] ts = {0, 1, 21, 41, 261, 501, 681, 701, 961, 981, 999};
        double[] ref = {0.99914998, 0.99829602, 0.98038065, 0.96087265, 0.65566903, 0.27499884, 0.09463683,
                0.08191665, 0.00728172, 0.00577550, 0.00466010};
        for (int i = 0; i < ts.length; i++) {
            assertEquals(ref[i], ac[ts[i]], 2e-6 * ref[i] + 1e-8, "abar_" + ts[i]);
        }
        assertEquals(ac[0], sd.finalAlphaCumprod(), 0.0);
        assertEquals(0.99915, sd.alphaCumprodOrFinal(-19), 1e-8);
    }

    @Test
    void linearScheduleAndSetAlphaToOne() {
        DdimScheduler lin = new DdimScheduler(new DdimSchedulerConfig(1000, 0.0001, 0.02, "linear", null,
                false, 1.0, true, 0, "epsilon", "leading", false, false));
        for (int t : new int[] {0, 10, 500, 999}) {
            assertEquals(independentAlphaBar(t, 0.0001, 0.02, false), lin.alphaCumprod(t), 1e-12);
        }
        assertEquals(1.0, lin.finalAlphaCumprod(), 0.0);
        // steps_offset 0, leading: 980, 960, ..., 0
        int[] ts = lin.timesteps(50);
        assertEquals(980, ts[0]);
        assertEquals(0, ts[49]);
    }

    @Test
    void fiftyLeadingTimesteps() {
        int[] ts = sd.timesteps(50);
        assertEquals(50, ts.length);
        for (int i = 0; i < 50; i++) {
            assertEquals(981 - 20 * i, ts[i]);
        }
        assertArrayEquals(new int[] {1, 21, 41}, sd.inversionTimesteps(50, 3));
        int nActual = DdimScheduler.actualSteps(0.75, 50);
        assertEquals(38, nActual);
        assertEquals(35, DdimScheduler.actualSteps(0.7, 50));
        int[] inv = sd.inversionTimesteps(50, 35);
        assertEquals(681, inv[34]);
        int[] den = sd.denoisingTimesteps(50, 35);
        assertEquals(35, den.length);
        assertEquals(681, den[0]);
        assertEquals(1, den[34]);
        assertEquals(741, sd.denoisingTimesteps(50, 38)[0]);
    }

    @Test
    void otherSpacingsMatchNumpyFormulas() {
        DdimScheduler trailing = new DdimScheduler(new DdimSchedulerConfig(1000, 0.00085, 0.012, "scaled_linear",
                null, false, 1.0, false, 0, "epsilon", "trailing", false, false));
        // np.round(np.arange(1000, 0, -1000/3)) - 1 = [999, 666, 332]  (666.67 -> 667 - 1, 333.33 -> 333 - 1)
        assertArrayEquals(new int[] {999, 666, 332}, trailing.timesteps(3));
        DdimScheduler linspace = new DdimScheduler(new DdimSchedulerConfig(1000, 0.00085, 0.012, "scaled_linear",
                null, false, 1.0, false, 0, "epsilon", "linspace", false, false));
        // np.linspace(0, 999, 4).round()[::-1] = [999, 666, 333, 0]
        assertArrayEquals(new int[] {999, 666, 333, 0}, linspace.timesteps(4));
    }

    @Test
    void ddimStepMatchesFormulaElementwise() {
        Random r = new Random(7);
        float[] x = new float[24];
        float[] e = new float[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            e[i] = (float) r.nextGaussian();
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray xs = m.create(x, new Shape(1, 4, 2, 3));
            NDArray es = m.create(e, new Shape(1, 4, 2, 3));
            for (int t : new int[] {981, 501, 21, 1}) {
                double at = independentAlphaBar(t, 0.00085, 0.012, true);
                double ap = t - 20 >= 0 ? independentAlphaBar(t - 20, 0.00085, 0.012, true)
                        : independentAlphaBar(0, 0.00085, 0.012, true);
                float[] got = sd.step(xs, es, t, 50).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    double x0 = (x[i] - Math.sqrt(1 - at) * e[i]) / Math.sqrt(at);
                    double want = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * e[i];
                    assertEquals(want, got[i], 2e-5 * Math.max(1, Math.abs(want)), "t=" + t + " i=" + i);
                }
            }
        }
    }

    @Test
    void inversionStepMatchesDragDiffusionFormula() {
        Random r = new Random(11);
        float[] x = new float[16];
        float[] e = new float[16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            e[i] = (float) r.nextGaussian();
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray xs = m.create(x, new Shape(1, 4, 2, 2));
            NDArray es = m.create(e, new Shape(1, 4, 2, 2));
            for (int t : new int[] {1, 21, 681, 981}) {
                // current timestep t - 20; negative -> final alpha = abar_0 = 0.99915
                double aCur = independentAlphaBar(Math.max(t - 20, 0), 0.00085, 0.012, true);
                double aNext = independentAlphaBar(t, 0.00085, 0.012, true);
                float[] got = sd.invertStep(xs, es, t, 50).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    double x0 = (x[i] - Math.sqrt(1 - aCur) * e[i]) / Math.sqrt(aCur);
                    double want = Math.sqrt(aNext) * x0 + Math.sqrt(1 - aNext) * e[i];
                    assertEquals(want, got[i], 2e-5 * Math.max(1, Math.abs(want)), "t=" + t + " i=" + i);
                }
            }
        }
        assertEquals(0.99915, independentAlphaBar(0, 0.00085, 0.012, true), 1e-12);
    }

    @Test
    void inversionThenDenoisingWithConstantPredictorReturnsStart() {
        try (NDManager m = manager.newSubManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray x0 = m.randomNormal(new Shape(1, 4, 8, 8));
            NDArray eps = m.randomNormal(new Shape(1, 4, 8, 8));
            int n = DdimScheduler.actualSteps(0.75, 50);
            NDArray x = x0;
            for (int t : sd.inversionTimesteps(50, n)) {
                x = sd.invertStep(x, eps, t, 50);
            }
            assertTrue(x.sub(x0).abs().max().getFloat() > 0.5f, "inversion must move the latent");
            for (int t : sd.denoisingTimesteps(50, n)) {
                x = sd.step(x, eps, t, 50);
            }
            // each step pair is an exact algebraic inverse; only float32 rounding remains
            assertTrue(x.sub(x0).abs().max().getFloat() < 1e-4f, "round trip error " + x.sub(x0).abs().max());
        }
    }

    @Test
    void inversionThenDenoisingWithLinearPredictorReturnsStartApproximately() {
        try (NDManager m = manager.newSubManager()) {
            m.getEngine().setRandomSeed(5);
            NDArray x0 = m.randomNormal(new Shape(1, 4, 8, 8));
            NDArray bias = m.randomNormal(new Shape(1, 4, 8, 8)).mul(0.5);
            // eps(x) = 0.2 x + b : inversion evaluates it at x_{t-20}, denoising at x_t, so the chain is only
            // approximately reversible (the standard DDIM-inversion approximation); the error grows with the
            // step count and the predictor's slope.
            java.util.function.UnaryOperator<NDArray> predictor = v -> v.mul(0.2).add(bias);
            int[] inv = sd.inversionTimesteps(50, 10);
            NDArray x = x0;
            for (int t : inv) {
                x = sd.invertStep(x, predictor.apply(x), t, 50);
            }
            for (int t : sd.denoisingTimesteps(50, 10)) {
                x = sd.step(x, predictor.apply(x), t, 50);
            }
            float err = x.sub(x0).abs().max().getFloat();
            float scale = x0.abs().max().getFloat();
            assertTrue(err < 0.02f * scale, "round trip error " + err + " vs scale " + scale);
            assertTrue(err > 0f, "a state-dependent predictor cannot give an exact round trip");
        }
    }

    @Test
    void addNoiseIsDdpmForwardProcess() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = m.create(new float[] {1f, -2f, 0.5f, 3f}, new Shape(2, 2));
            NDArray noise = m.create(new float[] {0.3f, 0.1f, -1f, 2f}, new Shape(2, 2));
            double a = independentAlphaBar(500, 0.00085, 0.012, true);
            float[] got = sd.addNoise(x0, noise, 500).toFloatArray();
            float[] xs = x0.toFloatArray();
            float[] ns = noise.toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertEquals(Math.sqrt(a) * xs[i] + Math.sqrt(1 - a) * ns[i], got[i], 1e-6);
            }
            int[] ts = {10, 900};
            float[] per = sd.addNoise(x0, noise, ts).toFloatArray();
            for (int b = 0; b < 2; b++) {
                double ab = independentAlphaBar(ts[b], 0.00085, 0.012, true);
                for (int j = 0; j < 2; j++) {
                    int i = 2 * b + j;
                    assertEquals(Math.sqrt(ab) * xs[i] + Math.sqrt(1 - ab) * ns[i], per[i], 1e-6);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> sd.addNoise(x0, noise, new int[] {1, 2, 3}));
            assertThrows(IllegalArgumentException.class, () -> sd.addNoise(x0, noise, 1000));
        }
    }

    @Test
    void stepIsDifferentiable() {
        try (NDManager m = manager.newSubManager();
             ai.djl.training.GradientCollector gc = m.getEngine().newGradientCollector()) {
            NDArray x = m.create(new float[] {0.5f, -1f}, new Shape(1, 2));
            x.setRequiresGradient(true);
            NDArray eps = x.mul(0.5);
            NDArray out = sd.step(x, eps, 681, 50).sum();
            gc.backward(out);
            double at = sd.alphaCumprod(681);
            double ap = sd.alphaCumprod(661);
            // d/dx [sqrt(ap) (x - sqrt(1-at) 0.5x)/sqrt(at) + sqrt(1-ap) 0.5x]
            double want = Math.sqrt(ap) * (1 - 0.5 * Math.sqrt(1 - at)) / Math.sqrt(at) + 0.5 * Math.sqrt(1 - ap);
            float[] g = x.getGradient().toFloatArray();
            assertEquals(want, g[0], 1e-5);
            assertEquals(want, g[1], 1e-5);
        }
    }

    @Test
    void readsSchedulerConfigJson(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("scheduler"));
        Files.writeString(folder.resolve("scheduler_config.json"), """
                {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
                 "beta_start": 0.00085, "num_train_timesteps": 1000, "set_alpha_to_one": false,
                 "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null, "clip_sample": false}
                """);
        DdimScheduler s = DdimScheduler.load(folder);
        assertFalse(s.config().clipSample());
        assertEquals("leading", s.config().timestepSpacing());
        assertArrayEquals(sd.alphasCumprod(), s.alphasCumprod(), 0.0);
        assertArrayEquals(sd.timesteps(50), s.timesteps(50));

        // absent clip_sample takes diffusers' constructor default (true), which clips x0_hat to [-1, 1]
        Files.writeString(folder.resolve("scheduler_config.json"), """
                {"beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                 "set_alpha_to_one": false, "steps_offset": 1}
                """);
        assertTrue(DdimScheduler.load(folder).config().clipSample());

        Files.writeString(folder.resolve("scheduler_config.json"), """
                {"beta_schedule": "squaredcos_cap_v2"}
                """);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> DdimScheduler.load(folder));
        assertTrue(ex.getMessage().contains("squaredcos_cap_v2"), ex.getMessage());
        Files.writeString(folder.resolve("scheduler_config.json"), """
                {"prediction_type": "v_prediction"}
                """);
        ex = assertThrows(IllegalArgumentException.class, () -> DdimScheduler.load(folder));
        assertTrue(ex.getMessage().contains("v_prediction"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DdimScheduler.load(dir.resolve("missing")));
    }

    @Test
    void clipSampleClipsPredictedOriginal() {
        DdimScheduler clipping = new DdimScheduler(new DdimSchedulerConfig(1000, 0.00085, 0.012, "scaled_linear",
                null, true, 1.0, false, 1, "epsilon", "leading", false, false));
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(new float[] {5f, -5f, 0.1f}, new Shape(3));
            NDArray e = m.zeros(new Shape(3));
            double at = clipping.alphaCumprod(501);
            float[] x0 = clipping.predictOriginal(x, e, 501).toFloatArray();
            assertArrayEquals(new float[] {1f, -1f, (float) (0.1 / Math.sqrt(at))}, x0, 1e-6f);
        }
    }
}
