package io.rotationdrag.diffusion.unet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gradient of a scalar function of the UNet outputs w.r.t. the latent (what drag optimisation and the
 * trackers rely on) agrees with central finite differences. Everything runs in float64 (weights, latent,
 * text states), so the check is tight: for L(x) = sum(eps(x) * R1) + sum(up2(x) * R2) and a unit direction v,
 * (L(x + h v) - L(x - h v)) / 2h = <grad L, v> + O(h^2 L''') with rounding O(1e-16 |L| / h); with h = 1e-4 both
 * are far below 1e-6 relative, while a wrong backward (a missing path, a detached op) is off by O(1).
 */
class UNetGradientTest {

    @Test
    void latentGradientMatchesCentralDifferencesInFloat64() {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = TinyUNet.create(m, DataType.FLOAT64, 21)) {
            Random r = new Random(5);
            Shape ls = new Shape(1, 4, 8, 8);
            NDArray x = m.create(gauss(r, (int) ls.size()), ls);
            NDArray text = m.create(gauss(r, 77 * 32), new Shape(1, 77, 32));
            NDArray r1 = m.create(gauss(r, (int) ls.size()), ls);
            UNetRequest req = UNetRequest.noiseAnd(2);
            double t = 681;

            NDArray grad;
            double l0;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                x.setRequiresGradient(true);
                UNetOutput out = unet.forward(x, t, text, req);
                assertEquals(DataType.FLOAT64, out.noise().getDataType());
                NDArray r2 = m.create(gauss(new Random(6), (int) out.upBlock(2).size()), out.upBlock(2).getShape());
                NDArray loss = out.noise().mul(r1).sum().add(out.upBlock(2).mul(r2).sum());
                l0 = loss.getDouble();
                gc.backward(loss);
                grad = x.getGradient().duplicate();
                r2.close();
            }
            x.setRequiresGradient(false);
            double h = 1e-4;
            double gnorm = Math.sqrt(grad.square().sum().getDouble());
            assertTrue(gnorm > 1e-3, "gradient is (nearly) zero: " + gnorm);
            for (int k = 0; k < 3; k++) {
                NDArray v = m.create(gauss(r, (int) ls.size()), ls);
                v = v.div(v.norm());
                double an = grad.mul(v).sum().getDouble();
                double fp = loss(unet, x.add(v.mul(h)), t, text, req, r1);
                double fm = loss(unet, x.sub(v.mul(h)), t, text, req, r1);
                double fd = (fp - fm) / (2 * h);
                double err = Math.abs(fd - an);
                System.out.printf("UNet gradient check dir %d: analytic %.10f  central FD %.10f  |diff| %.2e"
                        + " (|grad| %.3f, L %.4f)%n", k, an, fd, err, gnorm, l0);
                assertTrue(err <= 1e-6 * Math.max(1, Math.abs(an)), "direction " + k + ": analytic " + an + " vs FD " + fd);
            }
        }
    }

    private static double loss(UNet2DConditionModel unet, NDArray x, double t, NDArray text, UNetRequest req, NDArray r1) {
        UNetOutput out = unet.forward(x, t, text, req);
        NDArray r2 = x.getManager().create(gauss(new Random(6), (int) out.upBlock(2).size()), out.upBlock(2).getShape());
        double l = out.noise().mul(r1).sum().add(out.upBlock(2).mul(r2).sum()).getDouble();
        r2.close();
        return l;
    }

    private static double[] gauss(Random r, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = r.nextGaussian();
        }
        return d;
    }
}
