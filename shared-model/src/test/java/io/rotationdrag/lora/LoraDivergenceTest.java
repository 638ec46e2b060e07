package io.rotationdrag.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.edit.TinySd;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: LoRA training diverged to NaN on images unlike the training set. A non-finite loss or gradient must be
 * skipped and reported, never written into the weights.
 */
class LoraDivergenceTest {

    @TempDir
    static Path dir;

    @Test
    void guardSkipsNonFiniteLossesAndGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray fine = m.create(new float[] {1f, -2f, 3f});
            NDArray nan = m.create(new float[] {1f, Float.NaN, 3f});
            NDArray inf = m.create(new float[] {Float.NEGATIVE_INFINITY, 0f});
            FiniteStepGuard g = new FiniteStepGuard(0.5);
            assertTrue(g.accept(1, 0.3, List.of(fine, fine)));
            assertFalse(g.accept(2, 0.3, List.of(fine, nan)), "NaN gradient element");
            assertFalse(g.accept(3, 0.3, List.of(inf)), "infinite gradient element");
            assertFalse(g.accept(4, Double.NaN, List.of(fine)), "NaN loss");
            assertTrue(g.accept(5, 0.2, List.of(fine)));
            assertEquals(List.of(2, 3, 4), g.skippedSteps());
            // 3 of 5 skipped > 50 %
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.check("LoRA"));
            assertTrue(e.getMessage().contains("3 of 5"), e.getMessage());
            FiniteStepGuard lenient = new FiniteStepGuard(0.25);
            lenient.accept(1, 1.0, List.of(fine));
            lenient.accept(2, Double.POSITIVE_INFINITY, List.of(fine));
            lenient.accept(3, 1.0, List.of(fine));
            lenient.accept(4, 1.0, List.of(fine));
            lenient.check("LoRA"); // 1 of 4 is allowed
        }
    }

    /**
     * Out-of-domain images drawn with a new seed (uniform noise, a light background with a thin dark stroke, a
     * saturated two-colour ramp) at the default learning rate: every loss finite or its step reported as skipped,
     * every weight finite.
     */
    @Test
    void outOfDomainImagesTrainToFiniteWeights() throws Exception {
        try (StableDiffusion sd = TinySd.load(dir, 977)) {
            LoraOptions o = LoraOptions.defaults().withRank(4).withBatchSize(2).withSteps(6).withSeed(20261204);
            for (BufferedImage img : outOfDomain(new Random(20261204))) {
                LoraWeights w = new LoraTrainer(sd).train(img, "", 64, 64, o, null, null);
                String skipped = w.metadata().get(LoraTrainer.META_SKIPPED);
                assertTrue(skipped != null, "the run reports its skipped steps");
                String[] losses = w.metadata().get(LoraTrainer.META_LOSSES).split(",");
                int nonFinite = 0;
                for (String l : losses) {
                    nonFinite += Double.isFinite(Double.parseDouble(l)) ? 0 : 1;
                }
                int reported = skipped.isEmpty() ? 0 : skipped.split(",").length;
                assertTrue(nonFinite <= reported, "every non-finite loss is a reported skip: " + skipped);
                for (LoraLayerWeights l : w.layers().values()) {
                    assertTrue(allFinite(l.down()) && allFinite(l.up()), l.module() + " has non-finite weights");
                }
                System.out.println("out-of-domain LoRA: losses " + String.join(",", losses) + ", skipped ["
                        + skipped + "]");
            }
        }
    }

    static List<BufferedImage> outOfDomain(Random rnd) {
        BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        BufferedImage light = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        BufferedImage ramp = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        int strokeY = 10 + rnd.nextInt(44);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                noise.setRGB(x, y, rnd.nextInt(0x1000000));
                int v = 245 + rnd.nextInt(11);
                light.setRGB(x, y, Math.abs(y - strokeY - x / 8) < 1 ? 0x202020 : (v << 16) | (v << 8) | v);
                int r = 255 * x / 63;
                ramp.setRGB(x, y, (r << 16) | (255 - r));
            }
        }
        return List.of(noise, light, ramp);
    }

    private static boolean allFinite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
