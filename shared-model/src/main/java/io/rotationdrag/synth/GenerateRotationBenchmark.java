package io.rotationdrag.synth;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Command line: {@code GenerateRotationBenchmark <outDir> [count=48] [seed=REPORTING_SEED] [size=64]
 * [axis=alternate|always|never]}. Writes the DragBench-layout rotation benchmark with ground truth.
 */
public final class GenerateRotationBenchmark {

    private GenerateRotationBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: GenerateRotationBenchmark <outDir> [count=48] [seed="
                    + RotationBenchmark.REPORTING_SEED + "] [size=64] [axis=alternate|always|never]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 48;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : RotationBenchmark.REPORTING_SEED;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        RotationBenchmark.AxisMode mode = args.length > 4
                ? RotationBenchmark.AxisMode.valueOf(args[4].toUpperCase(Locale.ROOT))
                : RotationBenchmark.AxisMode.ALTERNATE;
        List<RotationSample> samples = RotationBenchmark.generate(n, seed, size, mode);
        DragBenchWriter.write(out, samples, seed);
        System.out.printf(Locale.ROOT, "wrote %d samples (seed %d, %dx%d, axis %s) to %s%n", n, seed, size, size,
                mode, out.toAbsolutePath());
    }
}
