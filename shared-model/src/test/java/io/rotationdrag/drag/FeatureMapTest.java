package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FeatureMapTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** F[c, y, x] = 100 c + 10 y + x: sampling is exact and easy to predict. */
    private static NDArray ramp(int c, int h, int w) {
        float[] d = new float[c * h * w];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    d[(k * h + y) * w + x] = 100 * k + 10 * y + x;
                }
            }
        }
        return manager.create(d, new Shape(c, h, w));
    }

    @Test
    void bilinearSamplingOfALinearMapIsExactAndClampsAtTheBorder() {
        NDArray f = ramp(2, 6, 8);
        assertArrayEquals(new float[] {23, 123}, FeatureMap.vector(f, Vec2.of(3, 2)), 1e-5f);
        assertArrayEquals(new float[] {27.25f, 127.25f}, FeatureMap.vector(f, Vec2.of(3.75, 2.35)), 1e-4f);
        // outside: coordinates are clamped into the map (edge replication)
        assertArrayEquals(new float[] {7, 107}, FeatureMap.vector(f, Vec2.of(12, -3)), 1e-5f);
        assertArrayEquals(new float[] {57, 157}, FeatureMap.vector(f, Vec2.of(7.5, 5.9)), 1e-4f);
        // batch axis accepted
        assertArrayEquals(new float[] {23, 123}, FeatureMap.vector(f.expandDims(0), Vec2.of(3, 2)), 1e-5f);
    }

    @Test
    void patchAtAnIntegralCentreIsTheSlice() {
        NDArray f = ramp(3, 9, 9);
        NDArray p = FeatureMap.patch(f, Vec2.of(4, 5), 1);
        NDArray slice = f.get(new NDIndex(":, 4:7, 3:6"));
        assertEquals(new Shape(3, 3, 3), p.getShape());
        assertEquals(0f, p.sub(slice).abs().max().getFloat(), 1e-5f);
        // half a cell to the right: the average of two neighbouring slices
        NDArray half = FeatureMap.patch(f, Vec2.of(4.5, 5), 1);
        NDArray avg = slice.add(f.get(new NDIndex(":, 4:7, 4:7"))).div(2);
        assertEquals(0f, half.sub(avg).abs().max().getFloat(), 1e-5f);
    }

    @Test
    void samplingGradientMatchesFiniteDifferences() {
        // float64 so that central differences are accurate
        NDArray f = manager.randomNormal(new Shape(3, 7, 6)).toType(DataType.FLOAT64, false);
        double[] xs = {1.3, 4.75, 0.2, 5.0};
        double[] ys = {2.6, 0.5, 6.0, 3.25};
        NDArray coef = manager.randomNormal(new Shape(3, 4)).toType(DataType.FLOAT64, false);
        f.setRequiresGradient(true);
        NDArray grad;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = FeatureMap.sample(f, xs, ys).mul(coef).sum();
            gc.backward(loss);
            grad = f.getGradient().duplicate();
        }
        double[] g = grad.toDoubleArray();
        double[] base = f.stopGradient().toDoubleArray();
        double eps = 1e-4;
        int checked = 0;
        for (int k = 0; k < base.length; k++) {
            double[] plus = base.clone();
            double[] minus = base.clone();
            plus[k] += eps;
            minus[k] -= eps;
            double lp = FeatureMap.sample(manager.create(plus, f.getShape()), xs, ys).mul(coef).sum().getDouble();
            double lm = FeatureMap.sample(manager.create(minus, f.getShape()), xs, ys).mul(coef).sum().getDouble();
            double fd = (lp - lm) / (2 * eps);
            assertEquals(fd, g[k], 1e-6, "gradient element " + k);
            if (Math.abs(fd) > 1e-3) {
                checked++;
            }
        }
        // 4 points x up to 4 corners x 3 channels carry weight; make sure the test saw non-zero gradients
        assertEquals(true, checked >= 30, "non-zero gradient elements checked: " + checked);
    }

    @Test
    void nearestNeighbourSearchesAClampedWindow() {
        NDArray f = manager.randomUniform(0, 1, new Shape(5, 10, 12));
        float[] unique = {9, -9, 9, -9, 9};
        // place the unique vector at (11, 0), a corner; search from (9, 2) with r = 3: window clamped to the map
        f.set(new NDIndex(":, 0, 11"), manager.create(unique));
        FeatureMap.Match m = FeatureMap.nearestNeighbour(f, unique, Vec2.of(9, 2), 3);
        assertEquals(Vec2.of(11, 0), m.point());
        assertEquals(0, m.distance(), 1e-5);
        // out of reach (radius 1): the result stays inside the window and the map
        FeatureMap.Match near = FeatureMap.nearestNeighbour(f, unique, Vec2.of(9, 2), 1);
        assertEquals(true, Math.abs(near.point().x() - 9) <= 1 && Math.abs(near.point().y() - 2) <= 1);
        // a centre outside the map is clamped first
        FeatureMap.Match clamped = FeatureMap.nearestNeighbour(f, unique, Vec2.of(40, -7), 1);
        assertEquals(Vec2.of(11, 0), clamped.point());
        assertThrows(IllegalArgumentException.class, () -> FeatureMap.nearestNeighbour(f, new float[3], Vec2.of(1, 1), 1));
    }
}
