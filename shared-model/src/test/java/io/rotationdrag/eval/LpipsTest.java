package io.rotationdrag.eval;

import io.rotationdrag.diffusion.io.HostTensor;
import io.rotationdrag.diffusion.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LpipsTest {
    private static final long[][] CONV = {{64, 3, 11, 11}, {192, 64, 5, 5}, {384, 192, 3, 3}, {256, 384, 3, 3},
            {256, 256, 3, 3}};
    private static final int[] IDX = {0, 3, 6, 8, 10};

    @TempDir
    static Path tmp;
    static Path random;
    static Path doubled;
    static Path zeroHeads;

    @BeforeAll
    static void writeWeights() throws IOException {
        random = write("random.safetensors", 1f, false, false);
        doubled = write("doubled.safetensors", 2f, false, false);
        zeroHeads = write("zero.safetensors", 0f, true, false);
    }

    /** Random He-scaled convolutions, positive random heads times {@code headScale}. */
    static Path write(String name, float headScale, boolean lpipsNames, boolean dropOne) throws IOException {
        return write(tmp, name, headScale, lpipsNames, dropOne);
    }

    static Path write(Path dir, String name, float headScale, boolean lpipsNames, boolean dropOne) throws IOException {
        Random r = new Random(5);
        List<HostTensor> t = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            long[] s = CONV[k];
            float[] w = new float[(int) (s[0] * s[1] * s[2] * s[3])];
            double std = Math.sqrt(2.0 / (s[1] * s[2] * s[3]));
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (r.nextGaussian() * std);
            }
            float[] b = new float[(int) s[0]];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.01 * r.nextGaussian());
            }
            float[] l = new float[(int) s[0]];
            for (int i = 0; i < l.length; i++) {
                l[i] = (float) (r.nextDouble() * 0.1) * headScale;
            }
            if (!(dropOne && k == 4)) {
                t.add(new HostTensor("features." + IDX[k] + ".weight", s, w));
            }
            t.add(new HostTensor("features." + IDX[k] + ".bias", new long[]{s[0]}, b));
            t.add(new HostTensor(lpipsNames ? "lin" + k + ".model.1.weight" : "lin" + k + ".weight",
                    new long[]{1, s[0], 1, 1}, l));
        }
        Path p = dir.resolve(name);
        SafeTensors.write(p, t, Map.of());
        return p;
    }

    @Test
    void identicalImagesHaveZeroDistanceAndDistanceIsSymmetric() throws IOException {
        BufferedImage a = TestImages.texture(64, 48, 1);
        BufferedImage b = TestImages.texture(64, 48, 2);
        try (Lpips l = Lpips.load(random)) {
            assertEquals(0.0, l.distance(a, TestImages.copy(a)), 1e-7);
            double ab = l.distance(a, b);
            double ba = l.distance(b, a);
            assertTrue(ab > 1e-3, "different textures should be apart, got " + ab);
            assertEquals(ab, ba, 1e-6 * Math.max(1, ab));
            assertEquals(1.0, l.imageFidelity(a, a).require(), 1e-7);
            assertEquals(1 - ab, l.imageFidelity(a, b).require(), 1e-6);
        }
    }

    @Test
    void distanceIsLinearInTheHeads() throws IOException {
        BufferedImage a = TestImages.texture(32, 32, 3);
        BufferedImage b = TestImages.texture(32, 32, 4);
        double d1;
        try (Lpips l = Lpips.load(random)) {
            d1 = l.distance(a, b);
        }
        try (Lpips l = Lpips.load(doubled)) {
            assertEquals(2 * d1, l.distance(a, b), 1e-5 * d1);
        }
        try (Lpips l = Lpips.load(zeroHeads)) { // lpips-package key names are accepted too
            assertEquals(0.0, l.distance(a, b), 1e-9);
        }
    }

    @Test
    void missingOrMalformedWeightsFailClearly() throws IOException {
        IOException e = assertThrows(IOException.class, () -> Lpips.load(tmp.resolve("none.safetensors")));
        assertTrue(e.getMessage().contains("not found"));
        Path broken = write("broken.safetensors", 1f, false, true);
        e = assertThrows(IOException.class, () -> Lpips.load(broken));
        assertTrue(e.getMessage().contains("features.10.weight"), e.getMessage());
        MetricValue v = Lpips.unavailable("no LPIPS weights configured");
        assertFalse(v.available());
        assertEquals(Lpips.METRIC_IF, v.name());
    }

    @Test
    void bilinearMatchesTorchAlignCornersFalse() {
        // torch: F.interpolate([[a0, a1]], 4, mode='bilinear') -> a0, .75 a0 + .25 a1, .25 a0 + .75 a1, a1;
        // 4 -> 2 averages neighbours.
        float[][] up = Bilinear.resize(new float[][]{{2f, 6f}}, 1, 2, 1, 4);
        assertArrayEquals(new float[]{2f, 3f, 5f, 6f}, up[0], 1e-6f);
        float[][] down = Bilinear.resize(new float[][]{{1f, 3f, 5f, 9f}}, 1, 4, 1, 2);
        assertArrayEquals(new float[]{2f, 7f}, down[0], 1e-6f);
    }
}
