package io.rotationdrag.diffusion.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.io.UNetConfig;
import io.rotationdrag.diffusion.io.VaeConfig;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.vae.AutoencoderKL;
import io.rotationdrag.drag.FeatureResize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The measured grid behind {@link ConvGuard}: float32 gradient error against float64 for convolution shapes
 * (a sweep of output channels, and every convolution shape of SD 1.5, the embedded model and tiny-sd-a), raw and
 * guarded; the guard's cost forward and forward+backward; and the same error check for the other kernels the
 * models differentiate through (group norm, linear layers with few outputs, bilinear resize).
 *
 * <pre>shared-model/scripts/run-main.sh io.rotationdrag.diffusion.nn.ConvGradientGrid [--quick] [tiny-sd-a dir]</pre>
 * Spatial sizes are the model's own where a side has fewer than 16 channels (capped at 128 px), else 8 px: the
 * defect is in channel blocking, and float64 references of the wide convolutions at full size would take hours.
 */
public final class ConvGradientGrid {
    private static final int REPEATS = 3;

    private ConvGradientGrid() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        Path tiny = args.length > 0 && !args[args.length - 1].startsWith("--") ? Path.of(args[args.length - 1]) : null;
        KernelSelfCheck.Report self = KernelSelfCheck.run();
        System.out.println(self.summary());
        ConvGuard.setBlock(ConvGuard.DEFAULT_BLOCK);
        try (NDManager m = NDManager.newBaseManager()) {
            System.out.println("\n## Spatial size and batch sweep of 32 -> 4 (3x3; worst of " + REPEATS
                    + " runs; relative error max|g32-g64|/max|g64| of dx, dW, db)");
            List<KernelProbe.ConvShape> sizes = new ArrayList<>();
            for (int size : quick ? new int[]{16, 32} : new int[]{8, 16, 20, 24, 32, 48, 64}) {
                for (int batch : quick ? new int[]{1, 4} : new int[]{1, 2, 4, 8}) {
                    sizes.add(new KernelProbe.ConvShape("size/batch", batch, 32, 4, 3, 1, 1, size));
                }
            }
            table(m, sizes);
            System.out.println("\n## Output-channel sweep (3x3 stride 1 pad 1, 32 px, batch 1)");
            List<KernelProbe.ConvShape> sweep = new ArrayList<>();
            int[] outs = quick ? new int[]{3, 4, 8, 16, 32} : new int[]{1, 2, 3, 4, 6, 8, 12, 15, 16, 17, 20, 24, 32, 40, 48, 64};
            int[] ins = quick ? new int[]{32} : new int[]{3, 32, 128};
            for (int in : ins) {
                for (int out : outs) {
                    sweep.add(new KernelProbe.ConvShape("sweep", in, out, 3, 1, 1, 32));
                }
            }
            for (int out : quick ? new int[]{4, 8} : new int[]{3, 4, 8, 16, 24}) {
                sweep.add(new KernelProbe.ConvShape("sweep 1x1", 32, out, 1, 1, 0, 32));
                sweep.add(new KernelProbe.ConvShape("sweep 1x1 64px", 32, out, 1, 1, 0, 64));
                sweep.add(new KernelProbe.ConvShape("sweep stride 2", 32, out, 3, 2, 1, 64));
                sweep.add(new KernelProbe.ConvShape("sweep stride 2 pad 0", 32, out, 3, 2, 0, 65));
            }
            table(m, sweep);

            System.out.println("\n## Every convolution shape of the models");
            Map<String, KernelProbe.ConvShape> shapes = new LinkedHashMap<>();
            modelShapes("sd15 unet", UNet2DConditionModel.declare(UNetConfig.sd15()).parameters().shapes(),
                    64, unetLevels(4), shapes);
            modelShapes("sd15 vae", AutoencoderKL.declare(VaeConfig.sd15()).parameters().shapes(), 512, vaeLevels(4), shapes);
            Path emb = EmbeddedModel.isAvailable() ? EmbeddedModel.locate() : null;
            if (emb != null) {
                modelShapes("rd-synth-v1 unet", UNet2DConditionModel.declare(UNetConfig.read(emb.resolve("unet/config.json")))
                        .parameters().shapes(), 16, unetLevels(4), shapes);
                modelShapes("rd-synth-v1 vae", AutoencoderKL.declare(VaeConfig.read(emb.resolve("vae/config.json")))
                        .parameters().shapes(), 64, vaeLevels(3), shapes);
            }
            if (tiny != null && Files.isDirectory(tiny)) {
                modelShapes("tiny-sd-a unet", UNet2DConditionModel.declare(UNetConfig.read(tiny.resolve("unet/config.json")))
                        .parameters().shapes(), 32, unetLevels(4), shapes);
                modelShapes("tiny-sd-a vae", AutoencoderKL.declare(VaeConfig.read(tiny.resolve("vae/config.json")))
                        .parameters().shapes(), 256, vaeLevels(4), shapes);
            }
            List<KernelProbe.ConvShape> all = new ArrayList<>(shapes.values());
            if (quick) {
                all.removeIf(s -> s.out() >= 16 && s.in() >= 16);
            }
            table(m, all);

            System.out.println("\n## Cost of the guard (float32, ms per call, median of 9; forward alone / forward+backward)");
            System.out.println("| conv | raw fwd | guarded fwd | raw fwd+bwd | guarded fwd+bwd | ratio fwd+bwd |");
            System.out.println("|---|---|---|---|---|---|");
            for (KernelProbe.ConvShape s : List.of(
                    new KernelProbe.ConvShape("sd15 unet conv_out", 320, 4, 3, 1, 1, 64),
                    new KernelProbe.ConvShape("sd15 vae decoder conv_out", 128, 3, 3, 1, 1, 256),
                    new KernelProbe.ConvShape("sd15 vae quant_conv", 8, 8, 1, 1, 0, 64),
                    new KernelProbe.ConvShape("rd-synth-v1 unet conv_out", 32, 4, 3, 1, 1, 16))) {
                double[] raw = cost(m, s, false);
                double[] guarded = cost(m, s, true);
                System.out.printf("| %s %s | %.3f | %.3f | %.3f | %.3f | %.2f |%n", s.where(), s.label(), raw[0], guarded[0],
                        raw[1], guarded[1], guarded[1] / raw[1]);
            }

            System.out.println("\n## Other kernels (float32 vs float64 gradient, worst of " + REPEATS + ")");
            System.out.println("| op | shape | rel err d(input) | rel err d(params) |");
            System.out.println("|---|---|---|---|");
            for (int[] gc : new int[][]{{32, 8, 16}, {64, 8, 8}, {320, 32, 16}, {128, 32, 32}, {16, 8, 32}}) {
                Shape[] sh = {new Shape(1, gc[0], gc[2], gc[2]), new Shape(gc[0]), new Shape(gc[0])};
                double[] e = KernelProbe.relativeGradientErrors(m, sh, a -> Ops.groupNorm(a[0], gc[1], a[1], a[2], 1e-5), 3, REPEATS);
                System.out.printf("| group norm | C=%d G=%d %dpx | %.1e | %.1e |%n", gc[0], gc[1], gc[2], e[0], Math.max(e[1], e[2]));
            }
            for (int[] lin : new int[][]{{32, 1}, {32, 3}, {64, 4}, {128, 8}, {320, 1280}, {1280, 1280}}) {
                Shape[] sh = {new Shape(2, 77, lin[0]), new Shape(lin[1], lin[0]), new Shape(lin[1])};
                double[] e = KernelProbe.relativeGradientErrors(m, sh, a -> Ops.linear(a[0], a[1], a[2]), 5, REPEATS);
                System.out.printf("| linear | %d -> %d, 2x77 rows | %.1e | %.1e |%n", lin[0], lin[1], e[0], Math.max(e[1], e[2]));
            }
            for (int[] rs : new int[][]{{64, 8, 16}, {64, 16, 64}, {640, 16, 32}, {4, 16, 64}}) {
                Shape[] sh = {new Shape(1, rs[0], rs[1], rs[1])};
                double[] e = KernelProbe.relativeGradientErrors(m, sh, a -> FeatureResize.bilinear(a[0], rs[2], rs[2]), 7, REPEATS);
                System.out.printf("| bilinear resize (FeatureResize) | %d ch %d -> %d px | %.1e | - |%n", rs[0], rs[1], rs[2], e[0]);
            }
            {
                Shape[] sh = {new Shape(1, 32, 8, 8)};
                double[] e = KernelProbe.relativeGradientErrors(m, sh, a -> Ops.upsampleNearest2x(a[0]), 9, REPEATS);
                System.out.printf("| nearest upsample x2 | 32 ch 8 px | %.1e | - |%n", e[0]);
            }
        }
    }

    private static void table(NDManager m, List<KernelProbe.ConvShape> shapes) {
        System.out.println("| where | conv | raw dx | raw dW | raw db | guarded dx | guarded dW | guarded db | verdict |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        int seed = 100;
        for (KernelProbe.ConvShape s : shapes) {
            double[] raw = s.errors(m, false, seed, REPEATS);
            double[] g = s.errors(m, true, seed, REPEATS);
            seed++;
            boolean rawOk = max(raw) <= KernelProbe.TOLERANCE;
            boolean gOk = max(g) <= KernelProbe.TOLERANCE;
            System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", s.where(), s.label(), f(raw[0]), f(raw[1]),
                    f(raw[2]), f(g[0]), f(g[1]), f(g[2]), gOk ? (rawOk ? "ok" : "raw WRONG, guard ok") : "GUARD WRONG");
            System.out.flush();
        }
    }

    private static String f(double v) {
        return Double.isInfinite(v) ? "NaN" : String.format("%.1e", v);
    }

    private static double max(double[] e) {
        double r = 0;
        for (double v : e) {
            r = Math.max(r, v);
        }
        return r;
    }

    /** Conv weights [out,in,k,k] of a declared model, with stride, padding and spatial size from the name. */
    private static void modelShapes(String model, Map<String, long[]> params, int size0,
                                    java.util.function.ToIntFunction<String> level, Map<String, KernelProbe.ConvShape> out) {
        for (Map.Entry<String, long[]> e : params.entrySet()) {
            long[] s = e.getValue();
            if (s.length != 4 || !e.getKey().endsWith(".weight")) {
                continue;
            }
            String name = e.getKey();
            int k = (int) s[2];
            boolean down = name.contains("downsamplers");
            boolean vae = model.contains("vae");
            int stride = down ? 2 : 1;
            int pad = down && vae ? 0 : k / 2;
            int size = Math.max(2, size0 >> level.applyAsInt(name));
            int in = (int) s[1];
            int o = (int) s[0];
            size = (in < 16 || o < 16) ? Math.min(size, 128) : Math.min(size, 8);
            if (vae && down) {
                size += 1; // the VAE pads (0,1,0,1) before its stride-2 conv with pad 0
            }
            KernelProbe.ConvShape c = new KernelProbe.ConvShape(model + " " + name.replace(".weight", ""), in, o, k, stride, pad, size);
            String key = in + "/" + o + "/" + k + "/" + stride + "/" + pad + "/" + size;
            out.putIfAbsent(key, c);
        }
    }

    /** Resolution level of a UNet parameter (0 = latent size). */
    private static java.util.function.ToIntFunction<String> unetLevels(int blocks) {
        return name -> {
            if (name.startsWith("down_blocks.")) {
                return Integer.parseInt(name.split("\\.")[1]);
            }
            if (name.startsWith("up_blocks.")) {
                int i = Integer.parseInt(name.split("\\.")[1]);
                return name.contains("upsamplers") ? blocks - 2 - i : blocks - 1 - i;
            }
            return name.startsWith("mid_block") ? blocks - 1 : 0;
        };
    }

    /** Resolution level of a VAE parameter (0 = image size). */
    private static java.util.function.ToIntFunction<String> vaeLevels(int blocks) {
        return name -> {
            if (name.startsWith("encoder.down_blocks.")) {
                return Integer.parseInt(name.split("\\.")[2]);
            }
            if (name.startsWith("decoder.up_blocks.")) {
                int i = Integer.parseInt(name.split("\\.")[2]);
                return name.contains("upsamplers") ? blocks - 2 - i : blocks - 1 - i;
            }
            if (name.startsWith("encoder.conv_in") || name.startsWith("decoder.conv_out")) {
                return 0;
            }
            return blocks - 1;
        };
    }

    /** ms per forward and per forward+backward (median of 9 after 2 warm-ups). */
    private static double[] cost(NDManager parent, KernelProbe.ConvShape s, boolean guarded) {
        Shape[] sh = s.shapes();
        Random r = new Random(1);
        double[] fwd = new double[9];
        double[] both = new double[9];
        try (NDManager m = parent.newSubManager()) {
            NDArray x = OwnedArrays.of(m, KernelProbe.gauss(r, sh[0].size()), sh[0]);
            NDArray w = OwnedArrays.of(m, KernelProbe.gauss(r, sh[1].size()), sh[1]);
            NDArray b = OwnedArrays.of(m, KernelProbe.gauss(r, sh[2].size()), sh[2]);
            x.setRequiresGradient(true);
            for (int i = -2; i < 9; i++) {
                try (NDManager step = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray y;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        y = guarded ? ConvGuard.conv2d(x, w, b, s.stride(), s.pad()) : ConvGuard.raw(x, w, b, s.stride(), s.pad());
                        y.toType(DataType.FLOAT32, false).sum().getFloat();
                        long t1 = System.nanoTime();
                        NDArray loss = y.sum();
                        gc.backward(loss);
                        x.getGradient().sum().getFloat();
                        long t2 = System.nanoTime();
                        if (i >= 0) {
                            fwd[i] = (t1 - t0) / 1e6;
                            both[i] = (t2 - t0) / 1e6;
                        }
                    }
                }
            }
        }
        java.util.Arrays.sort(fwd);
        java.util.Arrays.sort(both);
        return new double[]{fwd[4], both[4]};
    }
}
