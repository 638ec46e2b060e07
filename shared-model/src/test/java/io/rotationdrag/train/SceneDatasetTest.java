package io.rotationdrag.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.synth.RotationBenchmark;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class SceneDatasetTest {

    @Test
    void batchesAreSeededAndInRange() {
        SceneDataset.Batch a = new SceneDataset(5, 32).next(3);
        SceneDataset.Batch b = new SceneDataset(5, 32).next(3);
        assertArrayEquals(a.pixels(), b.pixels());
        assertEquals(a.prompts(), b.prompts());
        assertArrayEquals(new long[]{3, 3, 32, 32}, a.shape());
        for (float v : a.pixels()) {
            assertTrue(v >= -1f && v <= 1f);
        }
    }

    @Test
    void pixelConversionRoundTrips() {
        SceneDataset.Batch a = new SceneDataset(6, 32).next(1);
        BufferedImage img = SceneDataset.toImage(a.pixels(), 0, 32);
        float[] back = new float[3 * 32 * 32];
        SceneDataset.toPixels(img, back, 0);
        assertArrayEquals(a.pixels(), back, 1e-6f);
    }

    @Test
    void refusesTheReportingSeed() {
        assertThrows(IllegalArgumentException.class, () -> new SceneDataset(RotationBenchmark.REPORTING_SEED, 64));
    }
}
