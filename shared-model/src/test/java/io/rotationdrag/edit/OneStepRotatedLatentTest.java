package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.drag.Rotation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * z_t_rot = sqrt(abar) x0_rot + sqrt(1 - abar) R_a(eps_hat), eps_hat = (z_t - sqrt(abar) x0) / sqrt(1 - abar), checked
 * against invariants: identity at a = 0, linearity in x0_rot, and equivariance R_a(z_t) when x0_rot = R_a(x0) and R_a
 * is an exact permutation of the grid (90 and 180 degrees on a square grid).
 */
class OneStepRotatedLatentTest {

    static NDManager manager;
    /** abar at t = 741, the drag timestep of the defaults (50 steps, strength 0.75). */
    static final double ABAR = DdimScheduler.sd15().alphaCumprod(741);
    static final Shape SHAPE = new Shape(1, 4, 8, 8);

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager("PyTorch");
        manager.getEngine().setRandomSeed(11);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void angleZeroWithTheSourceLatentGivesZtExactly() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = m.randomNormal(SHAPE);
            NDArray zt = x0.mul((float) Math.sqrt(ABAR)).add(m.randomNormal(SHAPE).mul((float) Math.sqrt(1 - ABAR)))
                    .add(0.3f); // not exactly a forward sample: the identity must hold for any z_t
            NDArray z = OneStepRotatedLatent.latent(zt, x0, x0, ABAR, 0.0, 5);
            assertArrayEquals(zt.toFloatArray(), z.toFloatArray(), 0f, "R_0 = identity, x0_rot = x0 -> z_t bit for bit");
        }
    }

    @Test
    void angleZeroIsLinearInTheRotatedImageLatent() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = m.randomNormal(SHAPE);
            NDArray zt = m.randomNormal(SHAPE);
            NDArray delta = m.randomNormal(SHAPE);
            NDArray z = OneStepRotatedLatent.latent(zt, x0, x0.add(delta), ABAR, 0.0, 5);
            NDArray expected = zt.add(delta.mul((float) Math.sqrt(ABAR)));
            assertArrayEquals(expected.toFloatArray(), z.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void exactGridRotationsCommuteWithTheNoising() {
        for (double a : new double[] {90, -90, 180}) {
            try (NDManager m = manager.newSubManager()) {
                NDArray x0 = m.randomNormal(SHAPE);
                NDArray eps = m.randomNormal(SHAPE);
                NDArray zt = x0.mul((float) Math.sqrt(ABAR)).add(eps.mul((float) Math.sqrt(1 - ABAR)));
                NDArray x0Rot = Rotation.rotate(x0, a, Rotation.Interpolation.NEAREST, 0f);
                NDArray z = OneStepRotatedLatent.latent(zt, x0, x0Rot, ABAR, a, 5);
                NDArray expected = Rotation.rotate(zt, a, Rotation.Interpolation.NEAREST, 0f);
                assertArrayEquals(expected.toFloatArray(), z.toFloatArray(), 1e-5f, "a = " + a);
                // and the noise moved with the content: (z - sqrt(abar) x0_rot) / sqrt(1 - abar) = R_a(eps)
                NDArray impliedNoise = z.sub(x0Rot.mul((float) Math.sqrt(ABAR))).div((float) Math.sqrt(1 - ABAR));
                assertArrayEquals(Rotation.rotate(eps, a, Rotation.Interpolation.NEAREST, 0f).toFloatArray(),
                        impliedNoise.toFloatArray(), 1e-4f, "a = " + a);
            }
        }
    }

    @Test
    void uncoveredCornersGetFreshUnitNoise() {
        try (NDManager m = manager.newSubManager()) {
            Shape big = new Shape(1, 4, 32, 32);
            NDArray eps = m.zeros(big); // zero noise: what comes out at covered cells is 0, at corners the fill
            NDArray r = OneStepRotatedLatent.rotatedNoise(eps, 45, 3);
            float[] v = r.toFloatArray();
            float[] valid = Rotation.rotate(m.ones(big), 45, Rotation.Interpolation.NEAREST, 0f).toFloatArray();
            double sum = 0;
            double sq = 0;
            int n = 0;
            for (int k = 0; k < v.length; k++) {
                if (valid[k] > 0.5f) {
                    assertEquals(0f, v[k], 0f);
                } else {
                    sum += v[k];
                    sq += v[k] * v[k];
                    n++;
                }
            }
            assertTrue(n > 500, "45 degrees uncovers the corners: " + n);
            double mean = sum / n;
            double var = sq / n - mean * mean;
            assertEquals(0, mean, 0.15);
            assertEquals(1, var, 0.2);
            // reproducible from the seed
            assertArrayEquals(v, OneStepRotatedLatent.rotatedNoise(eps, 45, 3).toFloatArray(), 0f);
        }
    }

    @Test
    void rejectsBadAlphaAndShapes() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.zeros(SHAPE);
            assertThrows(IllegalArgumentException.class, () -> OneStepRotatedLatent.latent(x, x, x, 1.0, 0, 1));
            assertThrows(IllegalArgumentException.class,
                    () -> OneStepRotatedLatent.latent(x, x, m.zeros(new Shape(1, 4, 8, 4)), ABAR, 0, 1));
        }
    }
}
