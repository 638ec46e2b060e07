package io.rotationdrag.synth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.EmbeddedModel;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.diffusion.unet.UNetRequest;
import io.rotationdrag.drag.FeatureMap;
import io.rotationdrag.drag.Rotation;
import io.rotationdrag.drag.Vec2;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The paper's Table I question on the rotation benchmark, where the true correspondence is known: how often does
 * the nearest neighbour of a source feature vector land on the right place in the rotated image?
 *
 * <p>Per sample: source image I, ground truth I' (the part re-rendered turned by the known angle a about the known
 * axis), and I_r = I rotated by a about the image centre (what RotationDrag re-inverts). All three are encoded
 * (VAE posterior mean, x scaling_factor), noised to the drag timestep t (50-step DDIM, strength 0.75) with the
 * <em>same</em> noise, and passed through the UNet once with the sample's prompt; F = up-block 2 output,
 * bilinearly resized to half the image size (method.md). For points p on the part (the handle and random part
 * pixels away from the axis) the truth is p' = R_a(p) about the axis; the search is the global L1 nearest
 * neighbour in F(I').
 * <ul>
 *   <li>plain: template F(I)[p] (DragDiffusion's template);</li>
 *   <li>rotated: template F(I_r)[R_a(p) about the image centre] (RotationDrag's template).</li>
 * </ul>
 * A match is correct within 1 (and 2) grid cells of p'. Usage:
 * {@code TrackingAccuracyTable [modelDir|embedded] [count=48] [seed=REPORTING_SEED] [points=8]}.
 */
public final class TrackingAccuracyTable {

    /** Angle buckets by |a| in degrees: [lo, hi). */
    static final double[][] BUCKETS = {{15, 45}, {45, 90}, {90, 150.0001}};

    /** Accumulated errors (grid cells) of one bucket and one template kind. */
    static final class Tally {
        int n;
        int within1;
        int within2;
        double sumErr;

        void add(double err) {
            n++;
            within1 += err <= 1.0 + 1e-9 ? 1 : 0;
            within2 += err <= 2.0 + 1e-9 ? 1 : 0;
            sumErr += err;
        }
    }

    /** Result of the table: tallies [bucket][0 = plain, 1 = rotated], the grid size and the drag timestep. */
    public record Result(int samples, int grid, int timestep, int[][] n, double[][] acc1, double[][] acc2,
                         double[][] meanErrCells) {
    }

    private TrackingAccuracyTable() {
    }

    public static void main(String[] args) throws IOException {
        Path model = args.length > 0 && !args[0].equals("embedded") ? Path.of(args[0]) : EmbeddedModel.locate();
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 48;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : RotationBenchmark.REPORTING_SEED;
        int points = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        try (StableDiffusion sd = StableDiffusion.load(model)) {
            int size = sd.vae().config().sampleSize();
            List<RotationSample> samples = RotationBenchmark.generate(count, seed, size,
                    RotationBenchmark.AxisMode.ALTERNATE);
            long t0 = System.nanoTime();
            Result r = run(sd, samples, points, seed);
            System.out.println(format(r, model, seed, size, points));
            System.out.printf(Locale.ROOT, "(%d samples in %.1f s)%n", samples.size(), (System.nanoTime() - t0) / 1e9);
        }
    }

    public static Result run(StableDiffusion sd, List<RotationSample> samples, int pointsPerSample, long seed) {
        DdimScheduler sched = sd.scheduler();
        int t = sched.denoisingTimesteps(50, DdimScheduler.actualSteps(0.75, 50))[0];
        Tally[][] tallies = new Tally[BUCKETS.length][2];
        for (Tally[] row : tallies) {
            row[0] = new Tally();
            row[1] = new Tally();
        }
        int grid = -1;
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (RotationSample s : samples) {
            int size = s.size();
            grid = size / 2;
            int bucket = bucket(Math.abs(s.angleDeg()));
            BufferedImage rotated = Rotation.rotate(s.image(), s.angleDeg(), Rotation.Interpolation.BILINEAR,
                    Rotation.GREY_RGB);
            try (NDManager m = sd.manager().newSubManager()) {
                NDArray f = features(sd, m, List.of(s.image(), s.groundTruth(), rotated), s.prompt(), t,
                        seed + s.id().hashCode(), grid);
                NDArray fSrc = f.get(0), fTruth = f.get(1), fRot = f.get(2);
                Vec2 imgCentre = Rotation.centre(size, size);
                for (Point2D p : pointsOnPart(s, pointsPerSample, rnd)) {
                    Point2D truth = RotationSample.rotate(p, s.axis(), s.angleDeg());
                    Vec2 truthCell = toCell(truth, size, grid);
                    float[] plain = FeatureMap.vector(fSrc, toCell(p, size, grid));
                    Vec2 pr = Rotation.rotatePoint(new Vec2(p.getX(), p.getY()), imgCentre, s.angleDeg());
                    float[] rot = FeatureMap.vector(fRot, toCell(new Point2D.Double(pr.x(), pr.y()), size, grid));
                    tallies[bucket][0].add(FeatureMap.nearestNeighbour(fTruth, plain, truthCell, grid).point()
                            .distance(truthCell));
                    tallies[bucket][1].add(FeatureMap.nearestNeighbour(fTruth, rot, truthCell, grid).point()
                            .distance(truthCell));
                }
            }
        }
        int[][] n = new int[BUCKETS.length][2];
        double[][] a1 = new double[BUCKETS.length][2], a2 = new double[BUCKETS.length][2], me = new double[BUCKETS.length][2];
        for (int b = 0; b < BUCKETS.length; b++) {
            for (int k = 0; k < 2; k++) {
                Tally ty = tallies[b][k];
                n[b][k] = ty.n;
                a1[b][k] = ty.n == 0 ? Double.NaN : ty.within1 / (double) ty.n;
                a2[b][k] = ty.n == 0 ? Double.NaN : ty.within2 / (double) ty.n;
                me[b][k] = ty.n == 0 ? Double.NaN : ty.sumErr / ty.n;
            }
        }
        return new Result(samples.size(), grid, t, n, a1, a2, me);
    }

    /**
     * Up-block-2 features of the images, noised to {@code t} with one shared noise draw, resized to
     * {@code grid} x {@code grid}: [N, C, grid, grid] in {@code m}.
     */
    static NDArray features(StableDiffusion sd, NDManager m, List<BufferedImage> images, String prompt, int t,
                            long noiseSeed, int grid) {
        int size = images.get(0).getWidth();
        int plane = 3 * size * size;
        float[] px = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            toPixels(images.get(i), px, i * plane);
        }
        NDArray x = OwnedArrays.of(m, px, new Shape(images.size(), 3, size, size));
        NDArray z0 = OwnedArrays.mul(sd.vae().encode(x).mean(), (float) sd.vae().scalingFactor());
        Shape one = new Shape(1, z0.getShape().get(1), z0.getShape().get(2), z0.getShape().get(3));
        float[] eps = io.rotationdrag.diffusion.vae.DiagonalGaussian.gaussian(noiseSeed, (int) one.size());
        NDArray noise = OwnedArrays.of(m, eps, one).repeat(0, images.size());
        NDArray zt = sd.scheduler().addNoise(z0, noise, t);
        NDArray ctx = sd.encodePrompt(m, prompt);
        NDArray f = sd.unet().forward(zt, t, ctx, UNetRequest.featuresOnly(2)).upBlock(2);
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            out.add(resize(f.get(i), grid).expandDims(0));
        }
        return NDArrays.concat(new NDList(out.toArray(new NDArray[0])), 0);
    }

    /** Bilinear resize (align_corners = false, edge-clamped) of [C, h, w] to [C, g, g]. */
    static NDArray resize(NDArray chw, int g) {
        int h = FeatureMap.height(chw), w = FeatureMap.width(chw);
        double[] xs = new double[g * g], ys = new double[g * g];
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                xs[i * g + j] = (j + 0.5) * w / g - 0.5;
                ys[i * g + j] = (i + 0.5) * h / g - 0.5;
            }
        }
        NDArray s = FeatureMap.sample(chw, xs, ys);
        return s.reshape(s.getShape().get(0), g, g).toType(DataType.FLOAT32, false);
    }

    /** Pixel coordinates -> grid-cell coordinates (cell centres at integers, align_corners = false). */
    static Vec2 toCell(Point2D p, int size, int grid) {
        double s = grid / (double) size;
        return new Vec2((p.getX() + 0.5) * s - 0.5, (p.getY() + 0.5) * s - 0.5);
    }

    /** The handle plus up to {@code n - 1} random part pixels at least size/16 px from the axis. */
    static List<Point2D> pointsOnPart(RotationSample s, int n, SplittableRandom rnd) {
        List<Point2D> out = new ArrayList<>();
        out.add(s.handle());
        boolean[][] mask = SceneRenderer.partMask(s.scene(), s.size());
        List<Point2D> cand = new ArrayList<>();
        double minR = s.size() / 16.0;
        for (int y = 0; y < s.size(); y++) {
            for (int x = 0; x < s.size(); x++) {
                if (mask[y][x] && s.axis().distance(x, y) >= minR) {
                    cand.add(new Point2D.Double(x, y));
                }
            }
        }
        for (int k = 1; k < n && !cand.isEmpty(); k++) {
            out.add(cand.remove(rnd.nextInt(cand.size())));
        }
        return out;
    }

    static int bucket(double absAngle) {
        for (int b = 0; b < BUCKETS.length; b++) {
            if (absAngle >= BUCKETS[b][0] && absAngle < BUCKETS[b][1]) {
                return b;
            }
        }
        throw new IllegalArgumentException("angle " + absAngle + " outside the benchmark's buckets");
    }

    static void toPixels(BufferedImage img, float[] out, int offset) {
        int w = img.getWidth(), h = img.getHeight(), plane = w * h;
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            out[offset + i] = ((p >> 16) & 0xff) / 127.5f - 1f;
            out[offset + plane + i] = ((p >> 8) & 0xff) / 127.5f - 1f;
            out[offset + 2 * plane + i] = (p & 0xff) / 127.5f - 1f;
        }
    }

    public static String format(Result r, Path model, long seed, int size, int points) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "Tracking accuracy (nearest neighbour of UNet up-block-2 features, %dx%d grid, t = %d, L1, global "
                        + "search)%nmodel %s, %d rotation samples (seed %d, %dx%d), up to %d points per sample%n",
                r.grid(), r.grid(), r.timestep(), model, r.samples(), seed, size, size, points));
        sb.append("| |angle| (deg) | points | plain acc@1 | rotated acc@1 | plain acc@2 | rotated acc@2 "
                + "| plain mean err (cells) | rotated mean err (cells) |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (int b = 0; b < BUCKETS.length; b++) {
            sb.append(String.format(Locale.ROOT, "| %.0f-%.0f | %d | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f |%n",
                    BUCKETS[b][0], Math.floor(BUCKETS[b][1]), r.n()[b][0], r.acc1()[b][0], r.acc1()[b][1],
                    r.acc2()[b][0], r.acc2()[b][1], r.meanErrCells()[b][0], r.meanErrCells()[b][1]));
        }
        return sb.toString();
    }
}
