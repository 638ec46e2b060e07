package io.rotationdrag.drag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;

/**
 * Operations on a feature map F of shape [C, H, W] (a leading batch axis of 1 is accepted and dropped). Positions are
 * (x, y) in feature cells, x right and y down, cell (i, j) centred at (i, j).
 *
 * <p>Sampling is bilinear with edge replication: coordinates are clamped into [0, W-1] x [0, H-1] first. It is a
 * gather with constant weights, so it is differentiable with respect to F (not to the position), which is what motion
 * supervision needs. Results and temporaries belong to the manager of F.
 */
public final class FeatureMap {

    private FeatureMap() {
    }

    /** F as [C, H, W]: accepts [C, H, W] or [1, C, H, W]. */
    public static NDArray chw(NDArray features) {
        Shape s = features.getShape();
        if (s.dimension() == 3) {
            return features;
        }
        if (s.dimension() == 4 && s.get(0) == 1) {
            return features.squeeze(0);
        }
        throw new IllegalArgumentException("expected a feature map [C,H,W] or [1,C,H,W], got " + s);
    }

    public static int channels(NDArray features) {
        return (int) dim(features, 0);
    }

    public static int height(NDArray features) {
        return (int) dim(features, 1);
    }

    public static int width(NDArray features) {
        return (int) dim(features, 2);
    }

    private static long dim(NDArray features, int axis) {
        Shape s = features.getShape();
        if (s.dimension() == 3) {
            return s.get(axis);
        }
        if (s.dimension() == 4 && s.get(0) == 1) {
            return s.get(axis + 1);
        }
        throw new IllegalArgumentException("expected a feature map [C,H,W] or [1,C,H,W], got " + s);
    }

    /** Bilinear samples at N points: returns [C, N]. */
    public static NDArray sample(NDArray features, double[] xs, double[] ys) {
        if (xs.length != ys.length || xs.length == 0) {
            throw new IllegalArgumentException("need the same, positive number of x and y coordinates");
        }
        NDArray f = chw(features);
        int c = (int) f.getShape().get(0);
        int h = (int) f.getShape().get(1);
        int w = (int) f.getShape().get(2);
        int n = xs.length;
        long[][] idx = new long[4][n];
        float[][] wt = new float[4][n];
        for (int k = 0; k < n; k++) {
            Rotation.Bilinear b = Rotation.Bilinear.at(xs[k], ys[k], w, h);
            idx[0][k] = (long) b.y0() * w + b.x0();
            idx[1][k] = (long) b.y0() * w + b.x1();
            idx[2][k] = (long) b.y1() * w + b.x0();
            idx[3][k] = (long) b.y1() * w + b.x1();
            wt[0][k] = (float) ((1 - b.fx()) * (1 - b.fy()));
            wt[1][k] = (float) (b.fx() * (1 - b.fy()));
            wt[2][k] = (float) ((1 - b.fx()) * b.fy());
            wt[3][k] = (float) (b.fx() * b.fy());
        }
        NDManager m = f.getManager();
        NDArray flat = f.reshape(c, (long) h * w);
        NDArray out = null;
        for (int q = 0; q < 4; q++) {
            NDArray term = takeColumns(flat, idx[q]).mul(OwnedArrays.of(m, wt[q], new Shape(wt[q].length), f.getDataType()));
            out = out == null ? term : out.add(term);
        }
        return out;
    }

    /** Bilinear feature vector at one point: [C]. */
    public static NDArray sample(NDArray features, Vec2 p) {
        return sample(features, new double[] {p.x()}, new double[] {p.y()}).squeeze(1);
    }

    /** Feature vector at one point as a Java array (bilinear, no gradient). */
    public static float[] vector(NDArray features, Vec2 p) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return sample(features, p).stopGradient().toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /**
     * Bilinear patch of (2r+1)^2 samples at {@code centre + (dx, dy)}, dx, dy in [-r, r]: returns [C, 2r+1, 2r+1]
     * (row = dy, column = dx). With an integral centre inside the map this is exactly the slice
     * F[:, y-r..y+r, x-r..x+r] (edge-replicated at borders).
     */
    public static NDArray patch(NDArray features, Vec2 centre, int r) {
        if (r < 0) {
            throw new IllegalArgumentException("patch radius must be >= 0, got " + r);
        }
        int side = 2 * r + 1;
        double[] xs = new double[side * side];
        double[] ys = new double[side * side];
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                int k = (dy + r) * side + (dx + r);
                xs[k] = centre.x() + dx;
                ys[k] = centre.y() + dy;
            }
        }
        NDArray s = sample(features, xs, ys);
        return s.reshape(s.getShape().get(0), side, side);
    }

    /** Result of a windowed nearest-neighbour search: the best cell and its L1 distance to the template. */
    public record Match(Vec2 point, double distance) {
    }

    /**
     * L1 nearest neighbour of {@code template} ([C] values) among the cells of a (2r+1)^2 window around
     * {@code centre} (rounded), the window clamped to the map. Ties go to the first cell in row-major order (as torch's
     * argmin). The returned point is integral and inside the map.
     */
    public static Match nearestNeighbour(NDArray features, float[] template, Vec2 centre, int r) {
        return search(features, template, centre, r).match();
    }

    /**
     * The whole search behind {@link #nearestNeighbour}: the window (first cell, size) and every cell's L1 distance.
     *
     * @param distances row-major [height x width]
     */
    public record Search(Match match, int x0, int y0, int width, int height, float[] distances) {
    }

    /** {@link #nearestNeighbour} with the window and its distances. */
    public static Search search(NDArray features, float[] template, Vec2 centre, int r) {
        int c = channels(features);
        int h = height(features);
        int w = width(features);
        if (template.length != c) {
            throw new IllegalArgumentException("template has " + template.length + " channels, features have " + c);
        }
        if (r < 0) {
            throw new IllegalArgumentException("search radius must be >= 0, got " + r);
        }
        Vec2 p = centre.rounded().clamp(w, h);
        int cx = (int) p.x();
        int cy = (int) p.y();
        int x0 = Math.max(0, cx - r);
        int x1 = Math.min(w - 1, cx + r);
        int y0 = Math.max(0, cy - r);
        int y1 = Math.min(h - 1, cy + r);
        int ww = x1 - x0 + 1;
        float[] window;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray f = chw(features);
            NDArray win = f.get(new NDIndex(":, {}:{}, {}:{}", y0, y1 + 1, x0, x1 + 1)).stopGradient();
            NDArray t = OwnedArrays.of(f.getManager(), template, new Shape(c, 1, 1), f.getDataType());
            // L1 distance per cell: sum_c |F[c, y, x] - template[c]|
            window = win.sub(t).abs().sum(new int[] {0}).toType(DataType.FLOAT32, false).toFloatArray();
        }
        int best = 0;
        for (int k = 1; k < window.length; k++) {
            if (window[k] < window[best]) {
                best = k;
            }
        }
        Match m = new Match(new Vec2(x0 + best % ww, y0 + best / ww), window[best]);
        return new Search(m, x0, y0, ww, y1 - y0 + 1, window);
    }

    /** Columns {@code index} of a [C, N] array: returns [C, index.length]. Differentiable (index_select). */
    static NDArray takeColumns(NDArray flat, long[] index) {
        NDArray idx = OwnedArrays.of(flat.getManager(), index);
        return flat.get(new NDIndex(":, {}", idx));
    }
}
