package io.rotationdrag.diffusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.diffusion.nn.ConvGuard;
import io.rotationdrag.diffusion.nn.KernelProbe;
import io.rotationdrag.diffusion.nn.KernelSelfCheck;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.unet.UNetRequest;
import io.rotationdrag.diffusion.vae.AutoencoderKL;
import io.rotationdrag.lora.LoraAdapter;
import io.rotationdrag.lora.LoraOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every trained path in float32 against the same computation in float64 (tiny-sd-a weights): the VAE decoder's and
 * encoder's input gradients (the VAE trainer and decoder fine-tune differentiate through them) and the LoRA
 * objective's gradient w.r.t. the LoRA matrices at batch 4 (LoraTrainer's defaults). The float64 gradients are in turn
 * checked against central finite differences, so the reference is an independent fact, not another run of the same
 * code. Relative error = max|g32 - g64| / max|g64|.
 */
class TrainedPathGradientTest {
    private static final double TOL = 1e-4;
    /** float32 central differences of the LoRA loss resolve the gradient to ~1e-4 of |g|; the defect is O(1). */
    private static final double LORA_FD_TOL = 2e-2;

    @AfterEach
    void restore() {
        ConvGuard.setBlock(ConvGuard.DEFAULT_BLOCK);
    }

    @Test
    void vaeDecoderAndEncoderGradientsInFloat32MatchFloat64AndFiniteDifferences() throws Exception {
        double[] e = vaeErrors(true);
        System.out.printf("VAE float32 vs float64: decoder dz %.2e, encoder dx %.2e; float64 vs central FD: %.2e, %.2e%n",
                e[0], e[1], e[2], e[3]);
        assertTrue(e[0] < TOL && e[1] < TOL, "float32 VAE gradients off: decoder " + e[0] + ", encoder " + e[1]);
        assertTrue(e[2] < 1e-6 && e[3] < 1e-6, "float64 VAE gradients disagree with central differences: " + e[2] + ", " + e[3]);
    }

    @Test
    void loraObjectiveGradientInFloat32MatchesFloat64AtBatchFour() throws Exception {
        double err = loraError();
        System.out.printf("LoRA objective, batch 4: float32 gradient vs central differences, error / |g| = %.2e%n", err);
        assertTrue(err < LORA_FD_TOL, "LoRA gradient off by " + err);
    }

    /** The checks above fail without the guard where the raw kernel is defective (they are not vacuous). */
    @Test
    void withoutTheGuardTheseChecksFailWhereTheKernelIsDefective() throws Exception {
        Assumptions.assumeTrue(KernelSelfCheck.ensure().rawDefect(), "the raw float32 kernel is correct on this CPU");
        ConvGuard.setBlock(1);
        double[] e = vaeErrors(false);
        double lora = loraError();
        System.out.printf("unguarded: VAE decoder %.2e, encoder %.2e, LoRA %.2e%n", e[0], e[1], lora);
        assertTrue(!(e[0] < TOL) && !(lora < LORA_FD_TOL), "expected the unguarded kernel to miss: " + e[0] + ", " + lora);
    }

    /** {decoder f32 vs f64, encoder f32 vs f64, decoder f64 vs FD, encoder f64 vs FD}. */
    private static double[] vaeErrors(boolean withFd) throws Exception {
        Random r = new Random(21);
        Shape zs = new Shape(1, 4, 4, 4);
        Shape xs = new Shape(1, 3, 32, 32);
        float[] z = KernelProbe.gaussForTests(r, zs.size());
        float[] x = KernelProbe.gaussForTests(r, xs.size());
        float[] wd = KernelProbe.gaussForTests(r, xs.size());
        float[] we = KernelProbe.gaussForTests(r, zs.size());
        double[][] g = new double[2][];
        double[][] g64 = new double[2][];
        double[] fd = new double[2];
        for (DataType dt : new DataType[]{DataType.FLOAT32, DataType.FLOAT64}) {
            try (NDManager m = NDManager.newBaseManager();
                 AutoencoderKL vae = AutoencoderKL.load(Golden.tinySdA().resolve("vae"), m, dt)) {
                NDArray wD = OwnedArrays.of(m, wd, xs, dt);
                NDArray wE = OwnedArrays.of(m, we, zs, dt);
                BiFunction<NDArray, Integer, NDArray> loss = (in, which) -> which == 0
                        ? vae.decode(in).mul(wD).sum() : vae.encode(in).mean().mul(wE).sum();
                double[][] out = dt == DataType.FLOAT32 ? g : g64;
                for (int which = 0; which < 2; which++) {
                    NDArray in = OwnedArrays.of(m, which == 0 ? z : x, which == 0 ? zs : xs, dt);
                    in.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(loss.apply(in, which));
                    }
                    NDArray grad = in.getGradient().duplicate();
                    out[which] = grad.toType(DataType.FLOAT64, false).toDoubleArray();
                    if (dt == DataType.FLOAT64 && withFd) {
                        Shape s = in.getShape();
                        NDArray v = OwnedArrays.of(m, KernelProbe.gaussForTests(new Random(5 + which), s.size()), s, dt);
                        v = v.div(v.norm());
                        double h = 1e-4;
                        double an = grad.mul(v).sum().getDouble();
                        NDArray base = OwnedArrays.of(m, which == 0 ? z : x, s, dt);
                        double f = (loss.apply(base.add(OwnedArrays.mul(v, h)), which).getDouble()
                                - loss.apply(base.sub(OwnedArrays.mul(v, h)), which).getDouble()) / (2 * h);
                        fd[which] = Math.abs(f - an) / Math.max(1, Math.abs(an));
                    }
                }
            }
        }
        return new double[]{KernelProbe.relErr(g[0], g64[0]), KernelProbe.relErr(g[1], g64[1]), fd[0], fd[1]};
    }

    /**
     * The LoRA matrices are float32 only (LoraAdapter), so the reference is a float32 central difference of the LoRA
     * objective L = mean((eps(z_t) - noise)^2) at batch 4 along the gradient's own direction u = g/|g| and along a
     * random unit direction: |(L(p + h u) - L(p - h u)) / 2h - <g, u>| / |g|. Float32 rounding of L (~2e-7) over
     * 2h = 2e-2 bounds the error near 1e-5; the defective kernel's gradient is off by O(1).
     */
    private static double loraError() throws Exception {
        Random r = new Random(31);
        Shape zs = new Shape(4, 4, 32, 32);
        DataType dt = DataType.FLOAT32;
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(Golden.tinySdA().resolve("unet"), m, dt);
             LoraAdapter lora = LoraAdapter.create(unet, LoraOptions.defaults(), m)) {
            lora.attach();
            NDArray z = OwnedArrays.of(m, KernelProbe.gaussForTests(r, zs.size()), zs);
            NDArray n = OwnedArrays.of(m, KernelProbe.gaussForTests(r, zs.size()), zs);
            NDArray c = OwnedArrays.of(m, KernelProbe.gaussForTests(r, 4 * 77 * 32), new Shape(4, 77, 32));
            NDArray t = OwnedArrays.of(m, new float[]{901, 633, 250, 47});
            List<NDArray> params = lora.parameters();
            // B = 0 at creation gives A no gradient; give B values so that both matrices are checked
            Random rb = new Random(77);
            for (int i = 1; i < params.size(); i += 2) {
                NDArray up = params.get(i);
                up.addi(OwnedArrays.mul(OwnedArrays.of(m, KernelProbe.gaussForTests(rb, up.getShape().size()), up.getShape()), 0.05));
            }
            List<NDArray> g = new ArrayList<>();
            try (NDManager step = m.newSubManager()) {
                List<NDArray> leaves = lora.beginStep(step);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(unet.forward(z, t, c, UNetRequest.NOISE).noise().sub(n).square().mean());
                }
                for (NDArray leaf : leaves) {
                    NDArray gi = leaf.getGradient().duplicate();
                    gi.attach(m);
                    g.add(gi);
                }
                lora.endStep();
            }
            double gnorm = 0;
            for (NDArray gi : g) {
                gnorm += gi.square().sum().getFloat();
            }
            gnorm = Math.sqrt(gnorm);
            double worst = 0;
            for (int dir = 0; dir < 2; dir++) {
                List<NDArray> u = new ArrayList<>();
                double unorm = 0;
                Random ru = new Random(100 + dir);
                for (NDArray gi : g) {
                    NDArray ui = dir == 0 ? gi.duplicate() : OwnedArrays.of(m, KernelProbe.gaussForTests(ru, gi.getShape().size()), gi.getShape());
                    unorm += ui.square().sum().getFloat();
                    u.add(ui);
                }
                double an = 0;
                for (int i = 0; i < g.size(); i++) {
                    u.set(i, OwnedArrays.mul(u.get(i), 1 / Math.sqrt(unorm)));
                    an += g.get(i).mul(u.get(i)).sum().getFloat();
                }
                double h = 1e-2;
                double[] lv = new double[2];
                for (int sgn = 0; sgn < 2; sgn++) {
                    double sh = sgn == 0 ? h : -h;
                    for (int i = 0; i < params.size(); i++) {
                        params.get(i).addi(OwnedArrays.mul(u.get(i), sh));
                    }
                    try (NDManager e = m.newSubManager()) {
                        lv[sgn] = unet.forward(z, t, c, UNetRequest.NOISE).noise().sub(n).square().mean().getFloat();
                    }
                    for (int i = 0; i < params.size(); i++) {
                        params.get(i).subi(OwnedArrays.mul(u.get(i), sh));
                    }
                }
                double fd = (lv[0] - lv[1]) / (2 * h);
                System.out.printf("LoRA direction %d: analytic %.6f, central FD %.6f (|g| %.4f)%n", dir, an, fd, gnorm);
                worst = Math.max(worst, Math.abs(fd - an) / gnorm);
            }
            lora.detach();
            return worst;
        }
    }
}
