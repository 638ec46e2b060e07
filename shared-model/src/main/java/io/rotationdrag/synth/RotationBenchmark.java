package io.rotationdrag.synth;

import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generates rotation samples with ground truth. Seeds: {@link #REPORTING_SEED} is reserved for the benchmark
 * that results are reported on; training draws its scenes from other seeds and refuses this one
 * (see {@link #requireTrainingSeed(long)}).
 */
public final class RotationBenchmark {

    /** The seed of the reported benchmark. Training must never draw scenes from it. */
    public static final long REPORTING_SEED = 20_261_125L;
    /** Angle magnitudes are spread over this range, in degrees, both directions. */
    public static final double MIN_ANGLE = 15, MAX_ANGLE = 150;

    /** Whether samples hand the axis to the editor as a handle == target pair. */
    public enum AxisMode { ALWAYS, NEVER, ALTERNATE }

    private RotationBenchmark() {
    }

    /** Throws when {@code seed} is the reporting seed, so training can never see the reported scenes. */
    public static void requireTrainingSeed(long seed) {
        if (seed == REPORTING_SEED) {
            throw new IllegalArgumentException("seed " + seed + " is the reporting benchmark's seed; "
                    + "training must use another one");
        }
    }

    /**
     * {@code n} samples. Angle magnitudes are stratified over [15, 150] degrees (sample i draws from the i-th
     * of n equal slices, so every angle bucket is covered), signs are random.
     */
    public static List<RotationSample> generate(int n, long seed, int size, AxisMode axisMode) {
        if (n <= 0) {
            throw new IllegalArgumentException("sample count must be positive: " + n);
        }
        if (size < 32) {
            throw new IllegalArgumentException("image size must be at least 32: " + size);
        }
        SceneSampler sampler = new SceneSampler(seed);
        SplittableRandom rnd = sampler.random();
        List<RotationSample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double mag = MIN_ANGLE + (MAX_ANGLE - MIN_ANGLE) * (i + rnd.nextDouble()) / n;
            double angle = rnd.nextBoolean() ? mag : -mag;
            Scene scene = sampler.nextFitting(angle);
            boolean axisGiven = switch (axisMode) {
                case ALWAYS -> true;
                case NEVER -> false;
                case ALTERNATE -> i % 2 == 0;
            };
            String id = String.format(Locale.ROOT, "%s_%03d", scene.part().name().toLowerCase(Locale.ROOT), i);
            out.add(sample(id, scene, size, angle, axisGiven));
        }
        return out;
    }

    /** The sample of {@code scene} with its part turned by {@code angleDeg}. */
    public static RotationSample sample(String id, Scene scene, int size, double angleDeg, boolean axisGiven) {
        BufferedImage image = SceneRenderer.render(scene, size);
        BufferedImage truth = SceneRenderer.render(scene.rotated(angleDeg), size);
        Point2D axis = SceneRenderer.pivot(scene, size);
        Point2D handle = SceneRenderer.handle(scene, size);
        Point2D target = RotationSample.rotate(handle, axis, angleDeg);
        return new RotationSample(id, scene, size, angleDeg, image, truth, sweptMask(scene, size, angleDeg),
                handle, target, axis, axisGiven);
    }

    /**
     * The region the part covers while turning from 0 to {@code angleDeg} (rasterised every <= 2 degrees),
     * dilated by max(1, size/32) pixels so the edit may blend the part's edges: 1 = editable.
     */
    public static byte[][] sweptMask(Scene scene, int size, double angleDeg) {
        int steps = Math.max(1, (int) Math.ceil(Math.abs(angleDeg) / 2));
        boolean[][] union = new boolean[size][size];
        for (int k = 0; k <= steps; k++) {
            boolean[][] m = SceneRenderer.partMask(scene.rotated(angleDeg * k / steps), size);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    union[y][x] |= m[y][x];
                }
            }
        }
        int r = Math.max(1, size / 32);
        byte[][] out = new byte[size][size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                if (!union[y][x]) {
                    continue;
                }
                for (int dy = -r; dy <= r; dy++) {
                    for (int dx = -r; dx <= r; dx++) {
                        int yy = y + dy, xx = x + dx;
                        if (dx * dx + dy * dy <= r * r && yy >= 0 && xx >= 0 && yy < size && xx < size) {
                            out[yy][xx] = 1;
                        }
                    }
                }
            }
        }
        return out;
    }
}
