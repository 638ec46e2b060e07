package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RotationAxisTest {

    private static final int W = 80;
    private static final int H = 60;

    /** A mask with the given axis-aligned rectangles set (inclusive bounds). */
    private static BinaryMask rects(int[]... boxes) {
        boolean[] d = new boolean[W * H];
        for (int[] b : boxes) {
            for (int y = b[1]; y <= b[3]; y++) {
                for (int x = b[0]; x <= b[2]; x++) {
                    d[y * W + x] = true;
                }
            }
        }
        return new BinaryMask(W, H, d);
    }

    @Test
    void userAxisIsUsedAndNearestWinsRegardlessOfOrder() {
        List<Vec2> handles = List.of(Vec2.of(10, 10), Vec2.of(70, 50));
        List<Vec2> targets = List.of(Vec2.of(12, 20), Vec2.of(60, 50));
        // axes listed in the "wrong" order: the reference would pair axis 0 with handle 0
        List<Vec2> axes = List.of(Vec2.of(65, 45), Vec2.of(15, 5));
        List<RotationAxis.Choice> c = RotationAxis.select(W, H, null, handles, targets, axes);
        assertEquals(Vec2.of(15, 5), c.get(0).axis());
        assertEquals(Vec2.of(65, 45), c.get(1).axis());
        assertEquals(RotationAxis.Source.USER_AXIS, c.get(0).source());
    }

    @Test
    void userAxisInTheHandlesMaskRegionBeatsANearerOneElsewhere() {
        // two regions; handle in the left one near its right edge; a nearer axis sits in the right region
        BinaryMask mask = rects(new int[] {5, 5, 30, 50}, new int[] {36, 5, 70, 50});
        Vec2 h = Vec2.of(29, 20);
        List<Vec2> axes = List.of(Vec2.of(37, 20), Vec2.of(6, 45));
        RotationAxis.Choice c = RotationAxis.select(W, H, mask, List.of(h), List.of(Vec2.of(29, 30)), axes).get(0);
        assertEquals(Vec2.of(6, 45), c.axis());
        assertTrue(c.reason().contains("region"));
    }

    @Test
    void emptyOrMissingMaskGivesImageCentre() {
        Vec2 centre = Vec2.of((W - 1) / 2.0, (H - 1) / 2.0);
        for (BinaryMask m : new BinaryMask[] {null, BinaryMask.filled(W, H, false)}) {
            RotationAxis.Choice c = RotationAxis.select(W, H, m, List.of(Vec2.of(10, 10)), List.of(Vec2.of(20, 10)),
                    List.of()).get(0);
            assertEquals(centre, c.axis());
            assertEquals(RotationAxis.Source.IMAGE_CENTRE_NO_MASK, c.source());
        }
    }

    @Test
    void fullMaskGivesImageCentre() {
        RotationAxis.Choice c = RotationAxis.select(W, H, BinaryMask.filled(W, H, true), List.of(Vec2.of(10, 10)),
                List.of(Vec2.of(20, 10)), List.of()).get(0);
        assertEquals(Vec2.of(39.5, 29.5), c.axis());
        assertEquals(RotationAxis.Source.IMAGE_CENTRE_FULL_MASK, c.source());
    }

    @Test
    void perpendicularLineRuleOnADrawnMask() {
        // an "arm": a horizontal bar x 10..60, y 20..26; handle near its right end dragged straight down;
        // the perpendicular (horizontal) line through the handle runs along the bar; farthest bar pixel = left end
        BinaryMask mask = rects(new int[] {10, 20, 60, 26}, new int[] {66, 0, 79, 59});
        Vec2 h = Vec2.of(55, 23);
        RotationAxis.Choice c = RotationAxis.select(W, H, mask, List.of(h), List.of(Vec2.of(55, 40)), List.of()).get(0);
        assertEquals(RotationAxis.Source.PERPENDICULAR_LINE, c.source());
        assertEquals(Vec2.of(10, 23), c.axis());
        // dragged to the right instead: the perpendicular is vertical; the bar is 7 px tall: farthest = top or bottom
        RotationAxis.Choice v = RotationAxis.select(W, H, mask, List.of(h), List.of(Vec2.of(62, 23)), List.of()).get(0);
        assertEquals(55, v.axis().x(), 1e-9);
        assertEquals(3, Math.abs(v.axis().y() - 23), 1e-9);
        // a diagonal drag: axis lies on the perpendicular through h and inside the bar
        RotationAxis.Choice g = RotationAxis.select(W, H, mask, List.of(h), List.of(Vec2.of(58, 20)), List.of()).get(0);
        Vec2 rel = g.axis().minus(h);
        assertEquals(0, rel.x() * 3 + rel.y() * -3, 3.0); // ~perpendicular to (3,-3) up to pixel rounding
        assertTrue(mask.get((int) g.axis().x(), (int) g.axis().y()));
    }

    @Test
    void handleOutsideTheRegionButInsideItsBoundingBoxUsesThatRegion() {
        // L-shaped region; the handle sits in the empty corner of its bounding box
        BinaryMask mask = rects(new int[] {10, 10, 15, 50}, new int[] {10, 45, 50, 50});
        Vec2 h = Vec2.of(30, 20);
        RotationAxis.Choice c = RotationAxis.select(W, H, mask, List.of(h), List.of(Vec2.of(30, 30)), List.of()).get(0);
        assertEquals(RotationAxis.Source.PERPENDICULAR_LINE, c.source());
        assertEquals(Vec2.of(10, 20), c.axis());
    }

    @Test
    void handleOutsideEveryMaskRegionFallsBackToCentreWithReason() {
        BinaryMask mask = rects(new int[] {5, 5, 20, 20});
        RotationAxis.Choice c = RotationAxis.select(W, H, mask, List.of(Vec2.of(60, 40)), List.of(Vec2.of(70, 40)),
                List.of()).get(0);
        assertTrue(c.isFallback());
        assertEquals(Vec2.of(39.5, 29.5), c.axis());
        assertTrue(c.reason().contains("outside every mask region"), c.reason());
    }

    @Test
    void lineMeetingRegionOnlyAtHandleFallsBack() {
        // a one-pixel-wide vertical line region; drag along it: the perpendicular is horizontal and only hits h
        BinaryMask mask = rects(new int[] {40, 5, 40, 55});
        RotationAxis.Choice c = RotationAxis.select(W, H, mask, List.of(Vec2.of(40, 30)), List.of(Vec2.of(40, 10)),
                List.of()).get(0);
        assertTrue(c.isFallback());
    }

    @Test
    void invalidInputIsRejectedWithReason() {
        assertThrows(IllegalArgumentException.class, () -> RotationAxis.select(W, H, null, List.of(Vec2.of(80, 10)),
                List.of(Vec2.of(10, 10)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> RotationAxis.select(W, H, null, List.of(Vec2.of(5, 5)),
                List.of(Vec2.of(5, 5)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> RotationAxis.select(W, H, BinaryMask.filled(10, 10, true),
                List.of(Vec2.of(5, 5)), List.of(Vec2.of(6, 5)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> RotationAxis.select(W, H, null, List.of(Vec2.of(5, 5)),
                List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> RotationAxis.select(W, H, null, List.of(Vec2.of(5, 5)),
                List.of(Vec2.of(6, 5)), List.of(Vec2.of(-1, 3))));
    }

    @Test
    void angleSignIsCounterClockwiseOnScreen() {
        Vec2 axis = Vec2.of(50, 50);
        Vec2 right = Vec2.of(60, 50);
        Vec2 up = Vec2.of(50, 40); // smaller y = higher on screen
        Vec2 down = Vec2.of(50, 60);
        assertEquals(90, RotationAxis.signedAngle(axis, right, up), 1e-9);
        assertEquals(-90, RotationAxis.signedAngle(axis, right, down), 1e-9);
        assertEquals(-90, RotationAxis.signedAngle(axis, right, up, AngleSense.REFERENCE), 1e-9);
        assertEquals(90, RotationAxis.signedAngle(axis, right, down, AngleSense.REFERENCE), 1e-9);
    }

    @Test
    void angleRangeIsHalfOpenAtMinus180() {
        Vec2 axis = Vec2.of(0, 0);
        assertEquals(180, RotationAxis.signedAngle(axis, Vec2.of(10, 0), Vec2.of(-10, 0)), 1e-9);
        assertEquals(180, RotationAxis.signedAngle(axis, Vec2.of(-10, 0), Vec2.of(10, 0)), 1e-9);
        assertEquals(180, RotationAxis.signedAngle(axis, Vec2.of(10, 0), Vec2.of(-10, 0), AngleSense.REFERENCE), 1e-9);
        // just past 180 wraps to the negative side
        Vec2 past = Rotation.rotatePoint(Vec2.of(10, 0), axis, 181);
        assertEquals(-179, RotationAxis.signedAngle(axis, Vec2.of(10, 0), past), 1e-9);
        assertEquals(0, RotationAxis.signedAngle(axis, axis, Vec2.of(3, 4)), 0);
    }

    @Test
    void angleInvertsThePointRotation() {
        Random r = new Random(7);
        for (int k = 0; k < 200; k++) {
            Vec2 axis = Vec2.of(r.nextDouble() * 100, r.nextDouble() * 100);
            Vec2 p = Vec2.of(r.nextDouble() * 100, r.nextDouble() * 100);
            if (p.distance(axis) < 1) {
                continue;
            }
            double a = -179.9 + r.nextDouble() * 359.9;
            Vec2 q = Rotation.rotatePoint(p, axis, a);
            assertEquals(a, RotationAxis.signedAngle(axis, p, q), 1e-7);
            assertEquals(-a, RotationAxis.signedAngle(axis, p, q, AngleSense.REFERENCE), 1e-7);
            assertEquals(p.distance(axis), q.distance(axis), 1e-9);
        }
    }

    @Test
    void maskResizeNearestMatchesTorchIndexing() {
        // 8x4 -> 4x2: out (i, j) = in (2i, 2j); make only odd columns set, so a wrong offset shows
        boolean[] d = new boolean[8 * 4];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                d[y * 8 + x] = x % 2 == 0 && y < 2;
            }
        }
        BinaryMask small = new BinaryMask(8, 4, d).resizeNearest(4, 2);
        for (int x = 0; x < 4; x++) {
            assertTrue(small.get(x, 0));
            assertFalse(small.get(x, 1));
        }
        // 3 -> 7 upsampling: floor(i * 3 / 7)
        BinaryMask up = new BinaryMask(3, 1, new boolean[] {true, false, true}).resizeNearest(7, 1);
        boolean[] expect = {true, true, true, false, false, true, true};
        for (int x = 0; x < 7; x++) {
            assertEquals(expect[x], up.get(x, 0), "x=" + x);
        }
    }
}
