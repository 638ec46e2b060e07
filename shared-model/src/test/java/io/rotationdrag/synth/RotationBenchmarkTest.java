package io.rotationdrag.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationBenchmarkTest {

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void sameSeedGivesSameSamplesAndOtherSeedDiffers() {
        List<RotationSample> a = RotationBenchmark.generate(8, 11, 64, RotationBenchmark.AxisMode.ALTERNATE);
        List<RotationSample> b = RotationBenchmark.generate(8, 11, 64, RotationBenchmark.AxisMode.ALTERNATE);
        List<RotationSample> c = RotationBenchmark.generate(8, 12, 64, RotationBenchmark.AxisMode.ALTERNATE);
        int differing = 0;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).scene(), b.get(i).scene());
            assertEquals(a.get(i).angleDeg(), b.get(i).angleDeg());
            assertArrayEquals(pixels(a.get(i).image()), pixels(b.get(i).image()));
            assertArrayEquals(pixels(a.get(i).groundTruth()), pixels(b.get(i).groundTruth()));
            for (int y = 0; y < 64; y++) {
                assertArrayEquals(a.get(i).mask()[y], b.get(i).mask()[y]);
            }
            if (!a.get(i).scene().equals(c.get(i).scene())) {
                differing++;
            }
        }
        assertTrue(differing >= 6, "another seed should give other scenes, differing: " + differing);
    }

    @Test
    void groundTruthIsTheSceneRedrawnWithThePartTurned() {
        for (RotationSample s : RotationBenchmark.generate(6, 3, 64, RotationBenchmark.AxisMode.ALWAYS)) {
            assertArrayEquals(pixels(SceneRenderer.render(s.scene().rotated(s.angleDeg()), 64)),
                    pixels(s.groundTruth()), s.id());
            assertFalse(java.util.Arrays.equals(pixels(s.image()), pixels(s.groundTruth())),
                    "the part must visibly move: " + s.id());
        }
    }

    /**
     * Independent check of the sign convention: rotating the pixel coordinates of the part's raster by the
     * angle about the axis (formula) must land on the raster of the re-rendered part (Java2D transform).
     */
    @Test
    void rotatedPartRasterMatchesRotatedCoordinates() {
        int size = 128;
        for (RotationSample s : RotationBenchmark.generate(12, 5, size, RotationBenchmark.AxisMode.NEVER)) {
            boolean[][] before = SceneRenderer.partMask(s.scene(), size);
            boolean[][] after = SceneRenderer.partMask(s.scene().rotated(s.angleDeg()), size);
            int inside = 0, total = 0;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    if (!before[y][x]) {
                        continue;
                    }
                    Point2D q = RotationSample.rotate(new Point2D.Double(x + 0.5, y + 0.5), s.axis(), s.angleDeg());
                    int qx = (int) Math.floor(q.getX()), qy = (int) Math.floor(q.getY());
                    total++;
                    if (qx >= 0 && qy >= 0 && qx < size && qy < size && near(after, qx, qy)) {
                        inside++;
                    }
                }
            }
            assertTrue(total > 20, "part too small in " + s.id());
            assertTrue(inside >= 0.97 * total, s.id() + ": " + inside + " of " + total + " rotated pixels on the part");
            // the same for the tip: formula target == Java2D handle of the turned scene
            Point2D viaRender = SceneRenderer.handle(s.scene().rotated(s.angleDeg()), size);
            assertEquals(0, viaRender.distance(s.target()), 1e-9, s.id());
        }
    }

    private static boolean near(boolean[][] m, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int yy = y + dy, xx = x + dx;
                if (yy >= 0 && xx >= 0 && yy < m.length && xx < m.length && m[yy][xx]) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void pointsLieOnThePartAndInsideTheMask() {
        for (int size : new int[]{64, 128}) {
            for (RotationSample s : RotationBenchmark.generate(24, 9, size, RotationBenchmark.AxisMode.ALTERNATE)) {
                boolean[][] before = SceneRenderer.partMask(s.scene(), size);
                boolean[][] after = SceneRenderer.partMask(s.scene().rotated(s.angleDeg()), size);
                int hx = (int) s.handle().getX(), hy = (int) s.handle().getY();
                int tx = (int) s.target().getX(), ty = (int) s.target().getY();
                assertTrue(near(before, hx, hy), "handle off the part: " + s.id() + " at " + size);
                assertTrue(near(after, tx, ty), "target off the turned part: " + s.id() + " at " + size);
                assertEquals(1, s.mask()[hy][hx], s.id());
                assertEquals(1, s.mask()[ty][tx], s.id());
                assertEquals(s.handle().distance(s.axis()), s.target().distance(s.axis()), 1e-9);
                assertTrue(tx >= 0 && ty >= 0 && tx < size && ty < size);
            }
        }
    }

    @Test
    void anglesSpreadOverTheRangeInBothDirections() {
        List<RotationSample> l = RotationBenchmark.generate(40, 21, 64, RotationBenchmark.AxisMode.ALTERNATE);
        int pos = 0, neg = 0;
        double min = 999, max = 0;
        for (RotationSample s : l) {
            double m = Math.abs(s.angleDeg());
            min = Math.min(min, m);
            max = Math.max(max, m);
            if (s.angleDeg() > 0) {
                pos++;
            } else {
                neg++;
            }
        }
        assertTrue(min >= 15 && min < 20, "min " + min);
        assertTrue(max <= 150 && max > 145, "max " + max);
        assertTrue(pos >= 10 && neg >= 10, pos + " ccw, " + neg + " cw");
    }

    @Test
    void reportingSeedIsRefusedForTraining() {
        assertThrows(IllegalArgumentException.class,
                () -> RotationBenchmark.requireTrainingSeed(RotationBenchmark.REPORTING_SEED));
        RotationBenchmark.requireTrainingSeed(1);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> RotationBenchmark.generate(0, 1, 64, RotationBenchmark.AxisMode.ALWAYS));
        assertThrows(IllegalArgumentException.class,
                () -> RotationBenchmark.generate(2, 1, 16, RotationBenchmark.AxisMode.ALWAYS));
    }

    @Test
    void promptNamesPartAndColours() {
        Scene s = new Scene(PartType.CLOCK_HAND, NamedColor.RED, NamedColor.WHITE, Background.SOLID,
                NamedColor.BLUE, 0.5, 0.5, 0.2, 0.05, 0, 0, 'F');
        assertEquals("a red clock hand on a blue background", s.prompt());
        Scene l = new Scene(PartType.LETTER, NamedColor.ORANGE, NamedColor.WHITE, Background.SOLID,
                NamedColor.BLACK, 0.5, 0.5, 0.2, 0.05, 0, 0, 'R');
        assertEquals("an orange letter r on a black background", l.prompt());
    }
}
