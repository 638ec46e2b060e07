package io.rotationdrag.diffusion.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rotationdrag.diffusion.Golden;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parity with ../shared/golden/tiny-sd-a (diffusers DDIMScheduler on torch, float32). */
class DdimGoldenTest {

    static Path golden() {
        Path dir = Path.of(System.getProperty("rotationdrag.shared.dir", "../../shared"), "golden/tiny-sd-a");
        assertTrue(Files.isDirectory(dir), "golden folder missing: " + dir.toAbsolutePath());
        return dir;
    }

    @Test
    void alphasCumprodAndTimestepsMatchDiffusers() throws IOException {
        Path dir = golden();
        DdimScheduler s = DdimScheduler.load(dir.resolve("scheduler"));
        try (SafeTensors st = SafeTensors.open(dir.resolve("golden.safetensors"))) {
            float[] ac = st.readFloats("sched.alphas_cumprod");
            assertEquals(1000, ac.length);
            double maxRel = 0;
            for (int t = 0; t < 1000; t++) {
                maxRel = Math.max(maxRel, Math.abs(s.alphaCumprod(t) - ac[t]) / ac[t]);
            }
            // diffusers computes in float32, we in float64: measured max relative difference 9.3e-7
            assertTrue(maxRel < 2e-6, "max relative difference " + maxRel);
            long[] ts = st.readLongs("sched.timesteps50");
            int[] ours = s.timesteps(50);
            long[] oursLong = new long[ours.length];
            for (int i = 0; i < ours.length; i++) oursLong[i] = ours[i];
            assertArrayEquals(ts, oursLong);
        }
    }

    /**
     * Five inversion steps (method.md / spec 7.4, eps = UNet(x, t_target, text)) from ddim.x0 onto 1, 21, .., 81, then
     * five DDIM steps (eta 0) back from 81 to 1, each compared with diffusers' values; the real tiny UNet of
     * tiny-sd-a predicts the noise, so errors of the UNet and of the scheduler formulas both show.
     */
    @Test
    void fiveInversionAndFiveDenoisingStepsMatchDiffusers() throws IOException {
        Path dir = golden();
        DdimScheduler s = DdimScheduler.load(dir.resolve("scheduler"));
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(dir.resolve("unet"), m, DataType.FLOAT32);
             SafeTensors g = SafeTensors.open(dir.resolve("golden.safetensors"))) {
            NDArray text = Golden.load(g, m, "unet.in.text");
            NDArray x = Golden.load(g, m, "ddim.x0");
            StringBuilder report = new StringBuilder("DDIM golden parity (max abs diff):");
            double worst = 0;
            int[] up = {1, 21, 41, 61, 81};
            for (int t : up) {
                NDArray eps = unet.predictNoise(x, t, text);
                x = s.invertStep(x, eps, t, 50);
                NDArray ref = Golden.load(g, m, "ddim.invert.t" + t);
                double d = Golden.maxAbsDiff(x, ref);
                report.append(String.format(" invert->%d %.3g", t, d));
                worst = Math.max(worst, d / Math.max(1, Golden.maxAbs(ref)));
                x = ref; // each step from diffusers' own previous latent, so errors do not compound
            }
            for (int k = up.length - 1; k >= 0; k--) {
                int t = up[k];
                NDArray eps = unet.predictNoise(x, t, text);
                x = s.step(x, eps, t, 50);
                NDArray ref = Golden.load(g, m, "ddim.denoise.after_t" + t);
                double d = Golden.maxAbsDiff(x, ref);
                report.append(String.format(" step%d-> %.3g", t, d));
                worst = Math.max(worst, d / Math.max(1, Golden.maxAbs(ref)));
                x = ref;
            }
            System.out.println(report);
            assertTrue(worst < 1e-4, report.toString());
        }
    }
}
