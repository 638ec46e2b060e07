package io.rotationdrag.edit;

import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.PartRegion;
import io.rotationdrag.drag.RotationAxis;
import io.rotationdrag.drag.SimilarityTransform;
import io.rotationdrag.drag.Vec2;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the region methods ({@link TrackerKind#ROTATE_PIXELS}, {@link TrackerKind#ROTATE_LATENT}) move the image: one
 * or more parts, each a region of input pixels ({@link PartRegion}) and the {@link SimilarityTransform} that moves it,
 * planned in input pixels.
 *
 * <p><b>Transform rule.</b> Each drag handle gets its axis from {@link RotationAxis#select} (the rule the rotation
 * trackers use). Handles whose axis is a user axis or the perpendicular-line point rotate about it: the handles that
 * share one axis form one part with the least-squares rotation + uniform scale about that axis (exact for one
 * handle: the handle lands on its target). Without a user axis, the perpendicular-line point is replaced by a rigid
 * pivot ({@link #rigidPivot}): scale 1, the handle still lands on its target. A handle whose axis would be the image centre (no mask and no user axis,
 * full mask, or the fallback) has no axis of its own: it translates, and the handles of one mask component share
 * the mean translation. The part's region is the union of its handles' {@link PartRegion}s.
 *
 * <p><b>Grids.</b> The same motion is applied on any grid that covers the input (working image, latent): grid cell
 * q has its centre at input pixel (q + 0.5) W / N - 0.5 (per axis), so {@link #sourceOnGrid} is
 * toGrid(T^-1(toInput(q))).
 */
public final class RegionMotion {

    /** One moving part: its pixels (input grid, row-major) and its transform (input pixels). */
    public record Part(SimilarityTransform transform, boolean[] region, List<Integer> handles, String how) {
    }

    private final int width;
    private final int height;
    private final List<Part> parts;

    RegionMotion(int width, int height, List<Part> parts) {
        this.width = width;
        this.height = height;
        this.parts = List.copyOf(parts);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public List<Part> parts() {
        return parts;
    }

    /**
     * @param input  input image
     * @param mask   editable region at the input size, or null
     * @param points the request's point pairs (input pixels; handle == target = an axis)
     */
    public static RegionMotion plan(BufferedImage input, BinaryMask mask, List<PointPair> points) {
        int w = input.getWidth();
        int h = input.getHeight();
        List<Vec2> handles = new ArrayList<>();
        List<Vec2> targets = new ArrayList<>();
        List<Vec2> axes = new ArrayList<>();
        for (PointPair p : points) {
            if (p.isAxis()) {
                axes.add(new Vec2(p.hx(), p.hy()));
            } else {
                handles.add(new Vec2(p.hx(), p.hy()));
                targets.add(new Vec2(p.tx(), p.ty()));
            }
        }
        if (handles.isEmpty()) {
            throw new EditValidationException("the region methods need at least one handle with a target");
        }
        List<RotationAxis.Choice> choices = RotationAxis.select(w, h, mask, handles, targets, axes);
        List<PartRegion.Region> regions = new ArrayList<>();
        for (Vec2 hd : handles) {
            regions.add(PartRegion.of(input, mask, hd));
        }
        List<Part> parts = new ArrayList<>();
        boolean[] used = new boolean[handles.size()];
        for (int i = 0; i < handles.size(); i++) {
            if (used[i]) {
                continue;
            }
            RotationAxis.Choice ci = choices.get(i);
            boolean rotates = ci.source() == RotationAxis.Source.USER_AXIS
                    || ci.source() == RotationAxis.Source.PERPENDICULAR_LINE;
            List<Integer> group = new ArrayList<>();
            for (int j = i; j < handles.size(); j++) {
                if (used[j]) {
                    continue;
                }
                RotationAxis.Choice cj = choices.get(j);
                boolean jRotates = cj.source() == RotationAxis.Source.USER_AXIS
                        || cj.source() == RotationAxis.Source.PERPENDICULAR_LINE;
                boolean same = rotates ? jRotates && cj.axis().distance(ci.axis()) < 1e-9
                        : !jRotates && Arrays.equals(regions.get(j).component(), regions.get(i).component());
                if (same) {
                    group.add(j);
                    used[j] = true;
                }
            }
            List<Vec2> hs = group.stream().map(handles::get).toList();
            List<Vec2> ts = group.stream().map(targets::get).toList();
            SimilarityTransform t;
            String how;
            List<PartRegion.Region> rs = group.stream().map(regions::get).toList();
            boolean[] region = PartRegion.union(rs);
            Vec2 axis = ci.axis();
            if (ci.source() == RotationAxis.Source.PERPENDICULAR_LINE) {
                axis = rigidPivot(hs.get(0), ts.get(0), region, w);
            }
            if (rotates && hs.stream().anyMatch(p -> p.distance(ci.axis()) > 1e-9)) {
                Vec2 c = axis;
                t = SimilarityTransform.leastSquaresAbout(c, hs, ts);
                how = String.format(java.util.Locale.ROOT, "rotation %.1f deg, scale %.3f about %s (%s)",
                        t.angleDeg(), t.scale(), axis, ci.source() == RotationAxis.Source.PERPENDICULAR_LINE
                                ? "no user axis: the part's far end moved onto the handle-target bisector"
                                : ci.reason());
            } else {
                t = SimilarityTransform.meanTranslation(hs, ts);
                how = "translation by " + t.shift() + " (" + ci.reason() + ")";
            }
            parts.add(new Part(t, region, group, how + "; region " + rs.get(0).rule()));
        }
        return new RegionMotion(w, h, parts);
    }

    /**
     * The pivot of a rigid turn when the user gave no axis: the part pixel farthest from the handle (the part's other
     * end, where a part that turns is usually held) projected onto the perpendicular bisector of handle and target,
     * the line of every centre that turns the handle onto the target without scaling. (RotationAxis's perpendicular-
     * line point suits tracking, but as a centre it would scale the part by |t - a| / |h - a|, far from 1.)
     */
    static Vec2 rigidPivot(Vec2 handle, Vec2 target, boolean[] region, int width) {
        Vec2 far = handle;
        double best = -1;
        for (int k = 0; k < region.length; k++) {
            if (region[k]) {
                Vec2 p = new Vec2(k % width, k / width);
                double d = p.distance(handle);
                if (d > best) {
                    best = d;
                    far = p;
                }
            }
        }
        Vec2 mid = handle.plus(target).scale(0.5);
        Vec2 drag = target.minus(handle);
        if (drag.norm() < 1e-12) {
            return far;
        }
        Vec2 n = new Vec2(-drag.y(), drag.x()).normalized();
        double s = (far.x() - mid.x()) * n.x() + (far.y() - mid.y()) * n.y();
        return mid.plus(n.scale(s));
    }

    /** The grid cell centre of cell {@code q} of an N_w x N_h grid, in input pixels. */
    public Vec2 toInput(Vec2 q, int gw, int gh) {
        return new Vec2((q.x() + 0.5) * width / gw - 0.5, (q.y() + 0.5) * height / gh - 0.5);
    }

    /** Input pixels to the coordinates of an N_w x N_h grid. */
    public Vec2 toGrid(Vec2 p, int gw, int gh) {
        return new Vec2((p.x() + 0.5) * gw / width - 0.5, (p.y() + 0.5) * gh / height - 0.5);
    }

    /** Where the content that part {@code i} moves to grid cell q comes from, in the same grid's coordinates. */
    public Vec2 sourceOnGrid(int i, Vec2 q, int gw, int gh) {
        SimilarityTransform inv = parts.get(i).transform().inverse();
        return toGrid(inv.apply(toInput(q, gw, gh)), gw, gh);
    }

    /** Handle {@code h} (input pixels) moved by the part that holds handle index {@code index}. */
    public Vec2 moved(int index, Vec2 h) {
        for (Part p : parts) {
            if (p.handles().contains(index)) {
                return p.transform().apply(h);
            }
        }
        throw new IllegalArgumentException("no part holds handle " + index);
    }

    /** The part's region on an N_w x N_h grid as the covered fraction of each cell (area average). */
    public float[] partFraction(int i, int gw, int gh) {
        boolean[] r = parts.get(i).region();
        float[] f = new float[r.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = r[k] ? 1f : 0f;
        }
        return areaResize(f, width, height, gw, gh);
    }

    /**
     * Area-average resize of one channel: output cell (i, j) averages the input pixels whose centres fall inside
     * it; when none do (upsampling) it takes the pixel under its centre.
     */
    static float[] areaResize(float[] src, int w, int h, int nw, int nh) {
        if (nw == w && nh == h) {
            return src.clone();
        }
        float[] out = new float[nw * nh];
        for (int j = 0; j < nh; j++) {
            int y0 = (int) Math.ceil((double) j * h / nh - 0.5);
            int y1 = (int) Math.ceil((double) (j + 1) * h / nh - 0.5);
            for (int i = 0; i < nw; i++) {
                int x0 = (int) Math.ceil((double) i * w / nw - 0.5);
                int x1 = (int) Math.ceil((double) (i + 1) * w / nw - 0.5);
                double sum = 0;
                int n = 0;
                for (int y = Math.max(0, y0); y < Math.min(h, y1); y++) {
                    for (int x = Math.max(0, x0); x < Math.min(w, x1); x++) {
                        sum += src[y * w + x];
                        n++;
                    }
                }
                if (n == 0) {
                    int x = Math.min(w - 1, (int) Math.floor((i + 0.5) * w / nw));
                    int y = Math.min(h - 1, (int) Math.floor((j + 0.5) * h / nh));
                    out[j * nw + i] = src[y * w + x];
                } else {
                    out[j * nw + i] = (float) (sum / n);
                }
            }
        }
        return out;
    }
}
