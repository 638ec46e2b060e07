package io.rotationdrag.eval;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MaskedFidelityTest {
    private static final SsimOptions SSIM = SsimOptions.defaults();
    private static final double C1 = Math.pow(0.01 * 255, 2);
    private static final double C2 = Math.pow(0.03 * 255, 2);

    @Test
    void identicalImagesGiveInfinitePsnrAndSsimOne() {
        BufferedImage a = TestImages.texture(40, 32, 7);
        PixelMask all = PixelMask.filled(40, 32, true);
        assertEquals(Double.POSITIVE_INFINITY, MaskedPsnr.compute("p", a, TestImages.copy(a), all).value());
        assertEquals(1.0, MaskedSsim.compute("s", a, TestImages.copy(a), all, SSIM).value(), 1e-12);
    }

    @Test
    void constantOffsetGivesClosedFormPsnr() {
        // b = a + 10 on every channel: MSE = 100, PSNR = 20 log10(255 / 10) = 28.1308 dB.
        BufferedImage a = TestImages.grey(30, 20, (x, y) -> (x * 5 + y * 3) % 200);
        BufferedImage b = TestImages.grey(30, 20, (x, y) -> (x * 5 + y * 3) % 200 + 10);
        double psnr = MaskedPsnr.compute("p", a, b, PixelMask.filled(30, 20, true)).value();
        assertEquals(20 * Math.log10(25.5), psnr, 1e-9);
        assertEquals(28.130803608679102, psnr, 1e-9);
    }

    @Test
    void psnrCountsOnlyRegionPixels() {
        // Left half differs by 20, right half by 4: PSNR of the right half alone = 20 log10(255/4).
        BufferedImage a = TestImages.grey(16, 16, (x, y) -> 100);
        BufferedImage b = TestImages.grey(16, 16, (x, y) -> x < 8 ? 120 : 104);
        boolean[] right = new boolean[256];
        for (int i = 0; i < 256; i++) {
            right[i] = i % 16 >= 8;
        }
        double psnr = MaskedPsnr.compute("p", a, b, PixelMask.of(16, 16, right)).value();
        assertEquals(20 * Math.log10(255.0 / 4), psnr, 1e-9);
        // Whole image: MSE = (400 + 16) / 2.
        assertEquals(10 * Math.log10(255.0 * 255 / 208), MaskedPsnr.compute("p", a, b,
                PixelMask.filled(16, 16, true)).value(), 1e-9);
    }

    @Test
    void ssimOfConstantImagesIsTheLuminanceTerm() {
        // Flat a = 80, b = 120: all variances 0, so SSIM = (2 mu_a mu_b + C1) / (mu_a^2 + mu_b^2 + C1).
        BufferedImage a = TestImages.grey(15, 15, (x, y) -> 80);
        BufferedImage b = TestImages.grey(15, 15, (x, y) -> 120);
        double expected = (2 * 80 * 120 + C1) / (80 * 80 + 120 * 120 + C1);
        assertEquals(expected, MaskedSsim.compute("s", a, b, PixelMask.filled(15, 15, true), SSIM).value(), 1e-12);
    }

    @Test
    void ssimHandWorkedSingleWindow() {
        // 11x11 images: exactly one valid window centre. a = 100 with a single 200 at the centre, b = 100.
        // Centre weight w_c = 1 / S^2, S = sum_{i=-5..5} exp(-i^2 / 4.5) = 3.7592328 -> w_c = 0.0707622.
        // mu_a = 100 + 100 w_c, mu_b = 100, s_a^2 = 100^2 w_c (1 - w_c), s_b = s_ab = 0:
        // SSIM = (2 mu_a mu_b + C1) C2 / ((mu_a^2 + mu_b^2 + C1)(s_a^2 + C2)) = 0.0815365.
        BufferedImage a = TestImages.grey(11, 11, (x, y) -> x == 5 && y == 5 ? 200 : 100);
        BufferedImage b = TestImages.grey(11, 11, (x, y) -> 100);
        double s = 0;
        for (int i = -5; i <= 5; i++) {
            s += Math.exp(-i * i / 4.5);
        }
        double wc = 1 / (s * s);
        assertEquals(0.0707622377639, wc, 1e-12);
        double mua = 100 + 100 * wc;
        double expected = (2 * mua * 100 + C1) * C2 / ((mua * mua + 100 * 100 + C1) * (100 * 100 * wc * (1 - wc) + C2));
        assertEquals(0.08153653411921741, expected, 1e-12);
        assertEquals(expected, MaskedSsim.compute("s", a, b, PixelMask.filled(11, 11, true), SSIM).value(), 1e-12);
    }

    @Test
    void ssimMatchesIndependentWindowedReference() {
        // Reference value from a direct (non-separable) NumPy evaluation of Wang et al.'s Gaussian SSIM,
        // valid windows, on exactly these formula images (24x20, 140 centres).
        BufferedImage a = TestImages.grey(24, 20, (x, y) -> (x * 7 + y * 13 + (x * y) % 17) % 256);
        BufferedImage b = TestImages.grey(24, 20, (x, y) -> Math.min(255, Math.max(0,
                (x * 7 + y * 13 + (x * y) % 17) % 256 + 6 * (((x * 3 + y * 5) % 11) - 5))));
        assertEquals(0.8645525539466479, MaskedSsim.compute("s", a, b, PixelMask.filled(24, 20, true), SSIM)
                .value(), 1e-9);
        // Grey images: per-channel mean equals luminance.
        SsimOptions rgb = new SsimOptions(11, 1.5, 0.01, 0.03, 255, SsimOptions.Channels.RGB_MEAN);
        assertEquals(0.8645525539466479, MaskedSsim.compute("s", a, b, PixelMask.filled(24, 20, true), rgb)
                .value(), 1e-9);
    }

    @Test
    void editInsideMaskLeavesOutsideMetricsPerfect() {
        int w = 48;
        int h = 40;
        BufferedImage input = TestImages.texture(w, h, 3);
        BufferedImage edited = TestImages.copy(input);
        boolean[] m = new boolean[w * h];
        for (int y = 10; y < 25; y++) {
            for (int x = 12; x < 30; x++) {
                m[y * w + x] = true;
                edited.setRGB(x, y, 0xff0000);
            }
        }
        PixelMask mask = PixelMask.of(w, h, m);
        List<MetricValue> r = MaskedFidelity.compute(input, edited, mask, null, SSIM);
        assertEquals(Double.POSITIVE_INFINITY, value(r, MaskedFidelity.PSNR_OUTSIDE));
        assertEquals(1.0, value(r, MaskedFidelity.SSIM_OUTSIDE), 1e-12);
        // The unmasked SSIM does see the edit through windows that straddle the mask.
        assertTrue(MaskedSsim.compute("s", input, edited, PixelMask.filled(w, h, true), SSIM).value() < 0.9);
        // No ground truth: reported unavailable, never invented.
        MetricValue gt = r.stream().filter(v -> v.name().equals(MaskedFidelity.PSNR_INSIDE_GT)).findFirst().orElseThrow();
        assertFalse(gt.available());
        assertTrue(gt.unavailableReason().contains("ground-truth"));

        // Against a ground truth equal to the edit, inside-mask metrics are perfect; the outside ones
        // drop when the edit also leaks outside the mask.
        BufferedImage leaky = TestImages.copy(edited);
        leaky.setRGB(2, 2, 0x00ff00);
        List<MetricValue> r2 = MaskedFidelity.compute(input, leaky, mask, edited, SSIM);
        assertEquals(Double.POSITIVE_INFINITY, value(r2, MaskedFidelity.PSNR_INSIDE_GT));
        assertEquals(1.0, value(r2, MaskedFidelity.SSIM_INSIDE_GT), 1e-12);
        assertTrue(Double.isFinite(value(r2, MaskedFidelity.PSNR_OUTSIDE)));
    }

    @Test
    void noMaskDrawnMeansNoOutsideRegion() {
        BufferedImage a = TestImages.texture(20, 20, 1);
        List<MetricValue> r = MaskedFidelity.compute(a, a, null, null, SSIM);
        assertTrue(r.stream().noneMatch(MetricValue::available));
        assertTrue(r.get(0).unavailableReason().contains("no mask drawn"));
    }

    @Test
    void badInputsFailClearly() {
        BufferedImage a = TestImages.texture(20, 20, 1);
        BufferedImage b = TestImages.texture(21, 20, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskedFidelity.compute(a, b, null, null, SSIM));
        assertTrue(e.getMessage().contains("sizes differ"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MaskedPsnr.compute("p", a, a, PixelMask.filled(10, 10, true)));
        assertFalse(MaskedSsim.compute("s", TestImages.texture(8, 8, 1), TestImages.texture(8, 8, 2),
                PixelMask.filled(8, 8, true), SSIM).available());
    }

    private static double value(List<MetricValue> r, String name) {
        return r.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow().require();
    }
}
