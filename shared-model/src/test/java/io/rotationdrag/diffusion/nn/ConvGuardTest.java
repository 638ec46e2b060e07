package io.rotationdrag.diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvGuard}: exact forward, float32 gradients equal to float64 on the shapes the raw kernel got wrong on an
 * AVX-512 CPU (docs/kernels/conv_gradient_grid.txt), and the float64 reference itself checked against central
 * differences. These hold on every CPU; where the raw kernel is defective a last test shows the same check failing
 * without the guard, so the tests can fail.
 */
class ConvGuardTest {
    /** Shapes the grid measured as wrong through the raw kernel (input gradient 70-100 % off or NaN). */
    static final List<KernelProbe.ConvShape> DEFECTIVE_ON_AVX512 = List.of(
            new KernelProbe.ConvShape("embedded unet conv_out, LoRA/trainer batch", 8, 32, 4, 3, 1, 1, 16),
            new KernelProbe.ConvShape("tiny-sd-a unet conv_out", 32, 4, 3, 1, 1, 32),
            new KernelProbe.ConvShape("embedded vae decoder conv_out", 16, 3, 3, 1, 1, 64),
            new KernelProbe.ConvShape("vae encoder conv_out", 64, 8, 3, 1, 1, 32),
            new KernelProbe.ConvShape("17 channels", 32, 17, 3, 1, 1, 32));

    @AfterEach
    void restore() {
        ConvGuard.setBlock(ConvGuard.DEFAULT_BLOCK);
    }

    @Test
    void guardedForwardEqualsThePlainKernelAndStaysInTheInputsManager() {
        try (NDManager m = NDManager.newBaseManager(); NDManager act = m.newSubManager()) {
            Random r = new Random(3);
            NDArray x = OwnedArrays.of(act, KernelProbe.gauss(r, 2 * 32 * 24 * 24), new Shape(2, 32, 24, 24));
            NDArray w = OwnedArrays.of(m, KernelProbe.gauss(r, 4 * 32 * 9), new Shape(4, 32, 3, 3));
            NDArray b = OwnedArrays.of(m, KernelProbe.gauss(r, 4), new Shape(4));
            NDArray raw = ConvGuard.raw(x, w, b, 1, 1);
            NDArray guarded = ConvGuard.conv2d(x, w, b, 1, 1);
            assertEquals(raw.getShape(), guarded.getShape());
            assertSame(act, guarded.getManager(), "result must live in the activation's manager (Ops' rule)");
            double d = raw.sub(guarded).abs().max().getFloat();
            assertTrue(d <= 1e-5 * raw.abs().max().getFloat(), "forward differs by " + d);
        }
    }

    @Test
    void guardedFloat32GradientsEqualFloat64OnTheShapesTheRawKernelGotWrong() {
        try (NDManager m = NDManager.newBaseManager()) {
            int seed = 40;
            for (KernelProbe.ConvShape s : DEFECTIVE_ON_AVX512) {
                double[] e = s.errors(m, true, seed++, 2);
                System.out.printf("guarded %s: dx %.2e dW %.2e db %.2e%n", s.label(), e[0], e[1], e[2]);
                for (double v : e) {
                    assertTrue(v <= KernelProbe.TOLERANCE, s.where() + " " + s.label() + ": " + java.util.Arrays.toString(e));
                }
            }
        }
    }

    /** The float64 reference is right: <dL/dx, v> equals (L(x + h v) - L(x - h v)) / 2h, error O(h^2). */
    @Test
    void float64ReferenceAgreesWithCentralDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(9);
            Shape xs = new Shape(2, 16, 12, 12);
            NDArray x = OwnedArrays.of(m, KernelProbe.gauss(r, xs.size()), xs, DataType.FLOAT64);
            NDArray w = OwnedArrays.of(m, KernelProbe.gauss(r, 3 * 16 * 9), new Shape(3, 16, 3, 3), DataType.FLOAT64);
            NDArray b = OwnedArrays.of(m, KernelProbe.gauss(r, 3), new Shape(3), DataType.FLOAT64);
            NDArray rw = OwnedArrays.of(m, KernelProbe.gauss(r, 2 * 3 * 144), new Shape(2, 3, 12, 12), DataType.FLOAT64);
            NDArray v = OwnedArrays.of(m, KernelProbe.gauss(r, xs.size()), xs, DataType.FLOAT64);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(ConvGuard.conv2d(x, w, b, 1, 1).mul(rw).sum());
            }
            double analytic = x.getGradient().mul(v).sum().getDouble();
            double h = 1e-4;
            NDArray xp = x.add(OwnedArrays.mul(v, h));
            NDArray xm = x.sub(OwnedArrays.mul(v, h));
            double fd = (ConvGuard.conv2d(xp, w, b, 1, 1).mul(rw).sum().getDouble()
                    - ConvGuard.conv2d(xm, w, b, 1, 1).mul(rw).sum().getDouble()) / (2 * h);
            assertEquals(fd, analytic, 1e-7 * Math.max(1, Math.abs(fd)));
        }
    }

    @Test
    void selfCheckFindsTheGuardSufficientAndAgreesWithADirectProbeOfTheRawKernel() {
        KernelSelfCheck.Report r = KernelSelfCheck.run();
        System.out.println(r.summary());
        assertTrue(r.ok(), r.toString());
        assertEquals(ConvGuard.DEFAULT_BLOCK, r.block());
        assertEquals(ConvGuard.DEFAULT_BLOCK, ConvGuard.block());
        r.probes().forEach(p -> assertTrue(p.guardedOk(), p.toString()));
        try (NDManager m = NDManager.newBaseManager()) {
            double raw = 0;
            for (double e : KernelSelfCheck.PROBES.get(0).errors(m, false, 11, 2)) {
                raw = Math.max(raw, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
            }
            assertEquals(r.probes().get(0).rawOk(), raw <= KernelProbe.TOLERANCE, "probe 0 raw error " + raw);
        }
    }

    /** Where the raw kernel is defective, the same gradient check fails with the guard off. */
    @Test
    void withoutTheGuardTheCheckFailsWhereTheKernelIsDefective() {
        Assumptions.assumeTrue(KernelSelfCheck.ensure().rawDefect(), "the raw float32 kernel is correct on this CPU");
        ConvGuard.setBlock(1);
        try (NDManager m = NDManager.newBaseManager()) {
            double worst = 0;
            int seed = 40;
            for (KernelProbe.ConvShape s : DEFECTIVE_ON_AVX512) {
                worst = Math.max(worst, s.errors(m, true, seed++, 2)[0]);
            }
            assertTrue(!(worst <= KernelProbe.TOLERANCE), "unguarded worst dx error " + worst);
        }
    }
}
