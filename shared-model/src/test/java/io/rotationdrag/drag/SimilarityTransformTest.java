package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityTransformTest {

    private static final double EPS = 1e-9;

    private static void assertNear(Vec2 expected, Vec2 actual, double tol) {
        assertEquals(expected.x(), actual.x(), tol, () -> "x of " + actual + " vs " + expected);
        assertEquals(expected.y(), actual.y(), tol, () -> "y of " + actual + " vs " + expected);
    }

    @Test
    void zeroDegreesAboutAnyCentreIsTheIdentity() {
        SimilarityTransform t = SimilarityTransform.about(new Vec2(17.5, -3), 0, 1);
        Random r = new Random(1);
        for (int i = 0; i < 20; i++) {
            Vec2 p = new Vec2(r.nextDouble() * 100 - 50, r.nextDouble() * 100 - 50);
            assertNear(p, t.apply(p), EPS);
        }
        assertTrue(t.isIdentity(1e-12));
    }

    @Test
    void followsTheProjectsSignConventionOnScreen() {
        // a point right of the centre moves UP (smaller y) for +90 degrees (drag.Rotation's convention)
        Vec2 c = new Vec2(10, 10);
        assertNear(new Vec2(10, 5), SimilarityTransform.about(c, 90, 1).apply(new Vec2(15, 10)), EPS);
        // and agrees with Rotation.rotatePoint for any angle
        Random r = new Random(2);
        for (int i = 0; i < 20; i++) {
            double a = r.nextDouble() * 720 - 360;
            Vec2 p = new Vec2(r.nextDouble() * 64, r.nextDouble() * 64);
            assertNear(Rotation.rotatePoint(p, c, a), SimilarityTransform.about(c, a, 1).apply(p), 1e-9);
        }
    }

    @Test
    void theHandleLandsExactlyOnItsTarget() {
        Random r = new Random(3);
        for (int i = 0; i < 50; i++) {
            Vec2 axis = new Vec2(r.nextDouble() * 64, r.nextDouble() * 64);
            Vec2 h = new Vec2(r.nextDouble() * 64, r.nextDouble() * 64);
            Vec2 t = new Vec2(r.nextDouble() * 64, r.nextDouble() * 64);
            SimilarityTransform tr = SimilarityTransform.aboutAxis(axis, h, t);
            assertNear(t, tr.apply(h), 1e-9);
            assertNear(axis, tr.apply(axis), 1e-9);
            assertEquals(RotationAxis.signedAngle(axis, h, t), tr.angleDeg(), 1e-12);
        }
    }

    @Test
    void threeHundredSixtyDegreesReturnsTheStart() {
        Vec2 c = new Vec2(3, 40);
        SimilarityTransform full = SimilarityTransform.about(c, 360, 1);
        Vec2 p = new Vec2(21.25, 7.5);
        assertNear(p, full.apply(p), 1e-9);
        // as does turning 36 times by 10 degrees (composition of equal steps)
        SimilarityTransform step = SimilarityTransform.about(c, 10, 1);
        Vec2 q = p;
        for (int i = 0; i < 36; i++) {
            q = step.apply(q);
        }
        assertNear(p, q, 1e-9);
    }

    @Test
    void compositionAppliesOneTransformAfterTheOther() {
        Random r = new Random(4);
        for (int i = 0; i < 30; i++) {
            SimilarityTransform a = new SimilarityTransform(new Vec2(r.nextDouble() * 50, r.nextDouble() * 50),
                    r.nextDouble() * 360 - 180, 0.5 + r.nextDouble(), new Vec2(r.nextGaussian() * 5, r.nextGaussian()));
            SimilarityTransform b = new SimilarityTransform(new Vec2(r.nextDouble() * 50, r.nextDouble() * 50),
                    r.nextDouble() * 360 - 180, 0.5 + r.nextDouble(), new Vec2(r.nextGaussian(), r.nextGaussian() * 5));
            SimilarityTransform ab = a.then(b);
            Vec2 p = new Vec2(r.nextDouble() * 64, r.nextDouble() * 64);
            assertNear(b.apply(a.apply(p)), ab.apply(p), 1e-9);
            assertEquals(a.angleDeg() + b.angleDeg(), ab.angleDeg(), 1e-12);
            assertEquals(a.scale() * b.scale(), ab.scale(), 1e-12);
            // the inverse undoes it both ways, and T then T^-1 is the identity
            assertNear(p, a.inverse().apply(a.apply(p)), 1e-9);
            assertNear(p, a.apply(a.inverse().apply(p)), 1e-9);
            assertTrue(a.then(a.inverse()).isIdentity(1e-9));
        }
    }

    @Test
    void leastSquaresIsExactOnConsistentPoints() {
        Random r = new Random(5);
        for (int i = 0; i < 20; i++) {
            Vec2 axis = new Vec2(r.nextDouble() * 64, r.nextDouble() * 64);
            double angle = r.nextDouble() * 340 - 170;
            double scale = 0.7 + 0.6 * r.nextDouble();
            SimilarityTransform truth = SimilarityTransform.about(axis, angle, scale);
            List<Vec2> hs = new ArrayList<>();
            List<Vec2> ts = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                Vec2 h = new Vec2(r.nextDouble() * 64, r.nextDouble() * 64);
                hs.add(h);
                ts.add(truth.apply(h));
            }
            SimilarityTransform fit = SimilarityTransform.leastSquaresAbout(axis, hs, ts);
            assertEquals(angle, fit.angleDeg(), 1e-9);
            assertEquals(scale, fit.scale(), 1e-9);
            for (int k = 0; k < hs.size(); k++) {
                assertNear(ts.get(k), fit.apply(hs.get(k)), 1e-9);
            }
        }
    }

    @Test
    void leastSquaresAveragesInconsistentTurns() {
        // two handles at the same radius turned by +20 and +40 degrees: the best rotation is +30, scale cos(10 deg)
        Vec2 axis = new Vec2(0, 0);
        Vec2 h1 = new Vec2(10, 0);
        Vec2 h2 = new Vec2(0, 10);
        List<Vec2> hs = List.of(h1, h2);
        List<Vec2> ts = List.of(Rotation.rotatePoint(h1, axis, 20), Rotation.rotatePoint(h2, axis, 40));
        SimilarityTransform fit = SimilarityTransform.leastSquaresAbout(axis, hs, ts);
        assertEquals(30, fit.angleDeg(), 1e-9);
        assertEquals(Math.cos(Math.toRadians(10)), fit.scale(), 1e-9);
    }

    @Test
    void aPairWithoutAxisIsATranslation() {
        SimilarityTransform t = SimilarityTransform.meanTranslation(List.of(new Vec2(1, 2), new Vec2(5, 5)),
                List.of(new Vec2(4, 6), new Vec2(6, 7)));
        assertNear(new Vec2(2, 3), t.shift(), EPS);
        assertNear(new Vec2(12, 13), t.apply(new Vec2(10, 10)), EPS);
    }

    @Test
    void refusesDegenerateInput() {
        Vec2 a = new Vec2(5, 5);
        assertThrows(IllegalArgumentException.class, () -> SimilarityTransform.aboutAxis(a, a, new Vec2(6, 6)));
        assertThrows(IllegalArgumentException.class, () -> SimilarityTransform.about(a, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> SimilarityTransform.about(a, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class,
                () -> SimilarityTransform.leastSquaresAbout(a, List.of(a), List.of()));
    }
}
