package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.Vec2;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegionWarpTest {

    static final int BG = 0x3050A0;
    static final int BAR = 0xF0E0D0;

    /** 48 x 48: blue background, a light bar x 24..41, y 22..25 (pivot near (24, 23.5)). */
    static BufferedImage bar() {
        BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                img.setRGB(x, y, x >= 24 && x <= 41 && y >= 22 && y <= 25 ? BAR : BG);
            }
        }
        return img;
    }

    /** A disc of radius 21 about (24, 23.5): where the bar may sweep. */
    static BinaryMask sweep() {
        boolean[] d = new boolean[48 * 48];
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                d[y * 48 + x] = Math.hypot(x - 24, y - 23.5) <= 21;
            }
        }
        return new BinaryMask(48, 48, d);
    }

    static RegionMotion quarterTurn() {
        // handle at the bar's tip (40, 23.5) turned +90 degrees (counter-clockwise on screen) about (24, 23.5)
        return RegionMotion.plan(bar(), sweep(), List.of(PointPair.of(40, 23.5, 24, 7.5), PointPair.axis(24, 23.5)));
    }

    @Test
    void aQuarterTurnPutsTheBarWhereTheTruthHasItAndMarksOnlyTheOldPlaceUnknown() {
        RegionMotion m = quarterTurn();
        assertEquals(1, m.parts().size());
        assertEquals(90, m.parts().get(0).transform().angleDeg(), 1e-9);
        RegionWarp.Warped w = RegionWarp.warp(bar(), sweep(), m, 1);
        BufferedImage img = w.image();
        // the turned bar occupies x 22..25, y 6..23 (its pixels turned about (24, 23.5)); its core is exact
        for (int y = 8; y <= 20; y++) {
            for (int x = 23; x <= 24; x++) {
                assertEquals(BAR, img.getRGB(x, y) & 0xFFFFFF, "turned bar at " + x + "," + y);
                if (y <= 16) { // near the pivot the old place's seam reaches the turned bar
                    assertFalse(w.unknown()[y * 48 + x], "the turned bar is known at " + x + "," + y);
                }
            }
        }
        // the old place of the bar (away from the pivot) is unknown, and not bar-coloured any more
        for (int x = 30; x <= 40; x++) {
            assertTrue(w.unknown()[23 * 48 + x], "old bar place unknown at " + x);
            int c = img.getRGB(x, 23) & 0xFFFFFF;
            assertTrue(io.rotationdrag.drag.PartRegionTestAccess.dist(c, BG) < 10,
                    "filled from the surroundings at " + x + ": " + Integer.toHexString(c));
        }
        // far from the footprint and the turned bar: the input, exactly, and known
        for (int y = 30; y < 48; y++) {
            for (int x = 0; x < 20; x++) {
                assertEquals(BG, Math.round(w.rgb()[3 * (y * 48 + x)]) << 16 | Math.round(w.rgb()[3 * (y * 48 + x) + 1]) << 8
                        | Math.round(w.rgb()[3 * (y * 48 + x) + 2]));
                assertFalse(w.unknown()[y * 48 + x]);
            }
        }
        // the moved part is never repainted
        for (int k = 0; k < w.unknown().length; k++) {
            if (w.coverage()[k] >= RegionWarp.MOVED) {
                assertFalse(w.unknown()[k], "moved part pixel " + k + " marked unknown");
            }
        }
        // unknown pixels stay inside the mask
        for (int k = 0; k < w.unknown().length; k++) {
            if (w.unknown()[k]) {
                assertTrue(sweep().get(k % 48, k / 48));
            }
        }
    }

    @Test
    void withoutAUserAxisTheTurnIsRigidAboutThePartsFarEnd() {
        // the same quarter turn, no axis given: the perpendicular-line point would scale the bar; the rigid pivot
        // lies on the handle-target bisector near the bar's root (24, 23.5)
        Vec2 h = new Vec2(40, 23.5);
        Vec2 t = new Vec2(24, 7.5);
        RegionMotion m = RegionMotion.plan(bar(), sweep(), List.of(PointPair.of(h.x(), h.y(), t.x(), t.y())));
        io.rotationdrag.drag.SimilarityTransform tr = m.parts().get(0).transform();
        assertEquals(1.0, tr.scale(), 1e-9);
        assertEquals(t.x(), tr.apply(h).x(), 1e-9);
        assertEquals(t.y(), tr.apply(h).y(), 1e-9);
        assertTrue(tr.centre().distance(new Vec2(24, 23.5)) < 3, "pivot " + tr.centre());
        assertEquals(90, tr.angleDeg(), 10);
    }

    @Test
    void sourcesMapBackAcrossGridsOfOtherSizes() {
        RegionMotion m = quarterTurn();
        // the handle on the input grid comes from itself turned back; on a 12 x 12 grid the same point in its units
        Vec2 target = new Vec2(24, 7.5);
        Vec2 s = m.sourceOnGrid(0, target, 48, 48);
        assertEquals(40, s.x(), 1e-9);
        assertEquals(23.5, s.y(), 1e-9);
        Vec2 tg = m.toGrid(target, 12, 12);
        Vec2 sg = m.sourceOnGrid(0, tg, 12, 12);
        Vec2 back = m.toInput(sg, 12, 12);
        assertEquals(40, back.x(), 1e-9);
        assertEquals(23.5, back.y(), 1e-9);
    }

    @Test
    void bilinearSamplingIsExactOnPixelsAndZeroOutside() {
        float[] f = {1, 2, 3, 4};
        assertEquals(4, RegionWarp.sampleZero(f, 1, 0, new Vec2(1, 1), 2, 2), 1e-12);
        assertEquals(2.5, RegionWarp.sampleZero(f, 1, 0, new Vec2(0.5, 0.5), 2, 2), 1e-12);
        assertEquals(0.5, RegionWarp.sampleZero(f, 1, 0, new Vec2(-0.5, 0), 2, 2), 1e-12);
        assertEquals(0, RegionWarp.sampleZero(f, 1, 0, new Vec2(5, 5), 2, 2), 1e-12);
    }

    @Test
    void areaResizeAveragesCells() {
        float[] src = new float[16];
        src[0] = 1;
        src[1] = 1;
        src[4] = 1;
        float[] r = RegionMotion.areaResize(src, 4, 4, 2, 2);
        assertEquals(0.75f, r[0], 1e-6);
        assertEquals(0f, r[3], 1e-6);
    }
}
