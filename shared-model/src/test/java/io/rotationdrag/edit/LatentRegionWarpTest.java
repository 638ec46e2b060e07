package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rotationdrag.drag.SimilarityTransform;
import io.rotationdrag.drag.Vec2;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatentRegionWarpTest {

    @Test
    void movesPartCellsExactlyFillsTheUncoveredOnesAndLeavesTheRest() {
        int w = 8;
        int h = 8;
        int ch = 2;
        boolean[] region = new boolean[w * h];
        for (int x = 4; x <= 6; x++) {
            region[3 * w + x] = true;
        }
        // +90 degrees (counter-clockwise on screen) about cell (3, 3): (x, 3) -> (3, 3 - (x - 3))
        RegionMotion m = new RegionMotion(w, h, List.of(new RegionMotion.Part(
                SimilarityTransform.about(new Vec2(3, 3), 90, 1), region, List.of(0), "test")));
        float[] z = new float[ch * w * h];
        Random r = new Random(9);
        for (int k = 0; k < z.length; k++) {
            z[k] = (float) r.nextGaussian();
        }
        float[] out = LatentRegionWarp.warp(z, new long[] {1, ch, h, w}, m);
        int hw = w * h;
        for (int c = 0; c < ch; c++) {
            int o = c * hw;
            for (int x = 4; x <= 6; x++) {
                assertEquals(z[o + 3 * w + x], out[o + (3 - (x - 3)) * w + 3], 0f, "moved cell from x=" + x);
            }
            // (5, 3): left (3, 3) at 2, right (7, 3) at 2, up (5, 2) at 1, down (5, 4) at 1
            double v = (z[o + 3 * w + 3] / 2 + z[o + 3 * w + 7] / 2 + z[o + 2 * w + 5] + z[o + 4 * w + 5]) / 3.0;
            assertEquals(v, out[o + 3 * w + 5], 1e-6, "bilateral fill of (5, 3)");
            // (6, 3): left (3, 3) at 3, right (7, 3) at 1, up (6, 2) at 1, down (6, 4) at 1
            double v6 = (z[o + 3 * w + 3] / 3 + z[o + 3 * w + 7] + z[o + 2 * w + 6] + z[o + 4 * w + 6]) / (1 / 3.0 + 3);
            assertEquals(v6, out[o + 3 * w + 6], 1e-6, "bilateral fill of (6, 3)");
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean touched = (y == 3 && x >= 4 && x <= 6) || (x == 3 && y <= 2);
                    if (!touched) {
                        assertEquals(z[o + y * w + x], out[o + y * w + x], 0f, "untouched cell " + x + "," + y);
                    }
                }
            }
        }
    }
}
