package io.rotationdrag.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.drag.Vec2;
import java.awt.geom.Point2D;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrackingAccuracyTableTest {

    @Test
    void pixelToCellMappingIsAlignCornersFalse() {
        // 64 px -> 32 cells: pixels 0 and 1 straddle cell 0, whose centre is at pixel 0.5
        Vec2 c = TrackingAccuracyTable.toCell(new Point2D.Double(0.5, 0.5), 64, 32);
        assertEquals(0.0, c.x(), 1e-12);
        assertEquals(0.0, c.y(), 1e-12);
        assertEquals(31.0, TrackingAccuracyTable.toCell(new Point2D.Double(62.5, 0), 64, 32).x(), 1e-12);
        assertEquals(5.0, TrackingAccuracyTable.toCell(new Point2D.Double(5, 5), 16, 16).x(), 1e-12);
    }

    @Test
    void resizeToTheSameGridIsIdentityAndUpsamplingKeepsConstantsAndMeans() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = new float[2 * 4 * 4];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) Math.sin(i * 0.7);
            }
            NDArray f = m.create(v, new Shape(2, 4, 4));
            assertArrayEquals(v, TrackingAccuracyTable.resize(f, 4).toFloatArray(), 1e-6f);
            NDArray up = TrackingAccuracyTable.resize(m.ones(new Shape(3, 4, 4)).mul(2.5f), 8);
            assertEquals(new Shape(3, 8, 8), up.getShape());
            for (float x : up.toFloatArray()) {
                assertEquals(2.5f, x, 1e-6f);
            }
        }
    }

    @Test
    void pointsLieOnThePartAwayFromTheAxisAndStartWithTheHandle() {
        List<RotationSample> samples = RotationBenchmark.generate(6, 123, 64, RotationBenchmark.AxisMode.ALTERNATE);
        for (RotationSample s : samples) {
            List<Point2D> pts = TrackingAccuracyTable.pointsOnPart(s, 8, new SplittableRandom(1));
            assertEquals(s.handle(), pts.get(0));
            assertTrue(pts.size() > 1 && pts.size() <= 8);
            boolean[][] mask = SceneRenderer.partMask(s.scene(), 64);
            for (Point2D p : pts.subList(1, pts.size())) {
                assertTrue(mask[(int) p.getY()][(int) p.getX()], "point off the part: " + p);
                assertTrue(p.distance(s.axis()) >= 4.0);
            }
        }
    }

    @Test
    void bucketsCoverTheBenchmarkRange() {
        assertEquals(0, TrackingAccuracyTable.bucket(15));
        assertEquals(1, TrackingAccuracyTable.bucket(45));
        assertEquals(2, TrackingAccuracyTable.bucket(150));
        assertThrows(IllegalArgumentException.class, () -> TrackingAccuracyTable.bucket(10));
    }
}
