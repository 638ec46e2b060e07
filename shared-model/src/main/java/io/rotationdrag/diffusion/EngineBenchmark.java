package io.rotationdrag.diffusion;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.diffusion.io.UNetConfig;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.unet.UNetFlops;
import io.rotationdrag.diffusion.unet.UNetOutput;
import io.rotationdrag.diffusion.unet.UNetRequest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * UNet forward and forward+backward (to the latent, weights frozen, as in drag optimisation) timings with the
 * achieved GFLOP/s (FLOPs counted analytically by {@link UNetFlops}) and their ratio to a large fp32 matmul timed
 * in the same run (the practical peak of this machine and thread count).
 *
 * <pre>
 * mvn -q -B -pl shared-model -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * OMP_NUM_THREADS=2 java -Xmx2g -Dai.djl.offline=true -cp shared-model/target/classes:$(cat shared-model/target/cp.txt) \
 *     io.rotationdrag.diffusion.EngineBenchmark [--full] [--no-tiny] [--no-full-backward] [--iters N] [--full-iters N] [--full-latent 64] [--threads N] [--matmul N]
 * </pre>
 * {@code --full} adds a full-size SD 1.5 UNet with random weights (3.4 GB of fp32 weights) at a 64x64 latent
 * (one warm-up and {@code --full-iters} timed runs, default 1). Every timing follows one untimed warm-up run.
 */
public final class EngineBenchmark {

    private record Result(String what, double[] seconds, double flops) {
        double median() {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        double gflops() {
            return flops / median() / 1e9;
        }
    }

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        boolean full = false;
        boolean tinyRun = true;
        boolean fullBackward = true;
        int iters = 5;
        int fullIters = 1;
        int fullSize = 64;
        int threads = 0;
        int matmulN = 2048;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> full = true;
                case "--no-tiny" -> tinyRun = false;
                case "--no-full-backward" -> fullBackward = false;
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--full-iters" -> fullIters = Integer.parseInt(args[++i]);
                case "--full-latent" -> fullSize = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--matmul" -> matmulN = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --full, --no-tiny, --no-full-backward, --iters N, --full-iters N, --full-latent N, --threads N, --matmul N)");
            }
        }
        if (threads > 0) {
            // JniUtils is only linked once the engine has loaded libtorch: load it first (calling it before
            // threw UnsatisfiedLinkError: torchSetNumThreads)
            ai.djl.engine.Engine.getEngine("PyTorch");
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        System.out.printf("EngineBenchmark: %s %s, %d CPUs, load average %s, OMP_NUM_THREADS=%s%n",
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                Runtime.getRuntime().availableProcessors(), loadAverage(), System.getenv("OMP_NUM_THREADS"));
        List<Result> results = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Result peak = matmul(m, matmulN, iters);
            results.add(peak);
            print(peak, peak);

            UNetConfig tiny = TinyModelFactory.Spec.small().unetConfig();
            for (Result r : tinyRun ? unet(m, "tiny UNet (Spec.small) 32x32", tiny, 32, iters, true) : List.<Result>of()) {
                results.add(r);
                print(r, peak);
            }
            if (full) {
                for (Result r : unet(m, "SD 1.5 UNet " + fullSize + "x" + fullSize, UNetConfig.sd15(), fullSize, fullIters, fullBackward)) {
                    results.add(r);
                    print(r, peak);
                }
            }
            Result peak2 = matmul(m, matmulN, iters);
            print(new Result("fp32 matmul again (drift check)", peak2.seconds(), peak2.flops()), peak);
        }
        System.out.printf("load average at end: %s%n", loadAverage());
    }

    private static Result matmul(NDManager m, int n, int iters) {
        try (NDManager s = m.newSubManager()) {
            NDArray a = s.randomNormal(new Shape(n, n));
            NDArray b = s.randomNormal(new Shape(n, n));
            a.matMul(b).close(); // warm-up
            double[] t = new double[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                NDArray c = a.matMul(b);
                c.getFloat(0, 0); // synchronises on GPU
                t[i] = (System.nanoTime() - t0) / 1e9;
                c.close();
            }
            return new Result("fp32 matmul " + n + "x" + n + " (peak)", t, 2.0 * n * n * n);
        }
    }

    private static List<Result> unet(NDManager m, String name, UNetConfig cfg, int size, int iters, boolean backward) {
        List<Result> out = new ArrayList<>();
        try (NDManager s = m.newSubManager(); UNet2DConditionModel unet = UNet2DConditionModel.declare(cfg)) {
            long t0 = System.nanoTime();
            unet.randomizeWeights(s, DataType.FLOAT32, 7);
            System.out.printf("  %s: %,d parameters, random weights in %.1f s, RSS %.2f GB%n", name,
                    unet.parameters().parameterCount(), (System.nanoTime() - t0) / 1e9, rssGb());
            UNetFlops f = UNetFlops.of(unet, size, size, 77, 1);
            System.out.printf("  FLOPs per forward: %.1f G (conv %.1f, linear %.1f, attention %.1f); backward to latent %.1f G%n",
                    f.forward() / 1e9, f.conv() / 1e9, f.linear() / 1e9, f.attention() / 1e9, f.backward() / 1e9);
            NDArray latent = s.randomNormal(new Shape(1, cfg.inChannels(), size, size));
            NDArray text = s.randomNormal(new Shape(1, 77, cfg.crossAttentionDim()));
            int warm = 1;
            double[] fw = new double[iters];
            for (int i = -warm; i < iters; i++) {
                try (NDManager step = s.newSubManager()) {
                    NDArray z = latent.duplicate();
                    z.attach(step);
                    long a = System.nanoTime();
                    NDArray eps = unet.predictNoise(z, 681, text);
                    eps.getFloat(0, 0, 0, 0);
                    if (i >= 0) {
                        fw[i] = (System.nanoTime() - a) / 1e9;
                    }
                }
            }
            out.add(new Result(name + " forward", fw, f.forward()));
            System.out.printf("  peak RSS (VmHWM) after the forwards: %.2f GB%n", statusGb("VmHWM:"));
            if (backward) {
                double[] fb = new double[iters];
                double peakRss = 0;
                for (int i = -warm; i < iters; i++) {
                    try (NDManager step = s.newSubManager();
                         GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray z = latent.duplicate();
                        z.attach(step);
                        z.setRequiresGradient(true);
                        long a = System.nanoTime();
                        UNetOutput o = unet.forward(z, 681, text, UNetRequest.noiseAnd(2));
                        NDArray loss = o.noise().square().mean().add(o.upBlock(2).abs().mean());
                        peakRss = Math.max(peakRss, rssGb());
                        gc.backward(loss);
                        z.getGradient().getFloat(0, 0, 0, 0);
                        if (i >= 0) {
                            fb[i] = (System.nanoTime() - a) / 1e9;
                        }
                    }
                }
                out.add(new Result(name + " forward+backward", fb, f.forward() + f.backward()));
                System.out.printf("  RSS after a forward with graph: %.2f GB; peak RSS (VmHWM) %.2f GB%n", peakRss,
                        statusGb("VmHWM:"));
            }
        }
        return out;
    }

    private static void print(Result r, Result peak) {
        System.out.printf("%-44s median %8.3f s  (runs %s)  %8.1f GFLOP/s  %5.1f%% of matmul peak%n", r.what(),
                r.median(), Arrays.toString(Arrays.stream(r.seconds()).map(x -> Math.round(x * 1000) / 1000.0).toArray()),
                r.gflops(), 100 * r.gflops() / peak.gflops());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static double rssGb() {
        return statusGb("VmRSS:");
    }

    private static double statusGb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return Double.NaN;
    }
}
