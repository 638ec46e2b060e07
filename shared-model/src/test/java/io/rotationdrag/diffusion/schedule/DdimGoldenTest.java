package io.rotationdrag.diffusion.schedule;

import io.rotationdrag.diffusion.io.SafeTensors;
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
}
