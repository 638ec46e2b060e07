package io.rotationdrag.drag;

import java.util.ArrayList;
import java.util.List;

/**
 * Rotation axis per handle and the signed rotation angle of a handle about its axis.
 *
 * <p><b>Axis rule</b> (positions in image pixels, x right, y down), per drag handle h with target t:
 * <ol>
 *   <li>User axes (point pairs whose handle equals the target) present: the user axis nearest to h (Euclidean).
 *       When the mask has several regions and h lies in a region that holds at least one user axis, only the axes
 *       of that region compete. Ties go to the axis listed first. (The reference pairs axes with handles by list
 *       order instead; nearest is independent of click order and natural for several objects.)</li>
 *   <li>No user axes and the mask is absent, empty or full: the image centre ((W-1)/2, (H-1)/2).</li>
 *   <li>Otherwise the perpendicular-line rule: take the mask region (8-connected component) that contains h, or, if
 *       none does, the region with the smallest bounding box that holds h; draw the line through h perpendicular to
 *       t - h; keep its pixels inside that region; the axis is the one farthest from h (ties: the first met walking
 *       the line from h - L n to h + L n, n = (-(t-h).y, (t-h).x)/|t-h|).</li>
 *   <li>h outside every region's bounding box, or the line meets the region only at h: the image centre, with the
 *       reason reported in {@link Choice#reason()} (the reference crashes here).</li>
 * </ol>
 *
 * <p><b>Angle</b>: {@link #signedAngle(Vec2, Vec2, Vec2)} is the counter-clockwise-on-screen rotation in (-180, 180]
 * degrees that takes (initial - axis) to (current - axis); see {@link AngleSense} for the reference's opposite sign.
 */
public final class RotationAxis {

    /** Where an axis came from. */
    public enum Source { USER_AXIS, IMAGE_CENTRE_NO_MASK, IMAGE_CENTRE_FULL_MASK, PERPENDICULAR_LINE, IMAGE_CENTRE_FALLBACK }

    /** The axis of one handle, how it was chosen, and a human-readable reason. */
    public record Choice(Vec2 axis, Source source, String reason) {
        /** True when the rule could not be applied and the image centre was used instead. */
        public boolean isFallback() {
            return source == Source.IMAGE_CENTRE_FALLBACK;
        }
    }

    private RotationAxis() {
    }

    /**
     * Chooses the axis of each drag handle.
     *
     * @param width     image width in pixels
     * @param height    image height in pixels
     * @param mask      editable region in image pixels, or null for none (= everything editable)
     * @param handles   drag handles (image pixels)
     * @param targets   their targets, same size; no target may equal its handle (such pairs are axes)
     * @param userAxes  user-given axes (image pixels), possibly empty
     * @return one choice per handle, in order
     * @throws IllegalArgumentException for inconsistent input (sizes, points outside the image, handle == target)
     */
    public static List<Choice> select(int width, int height, BinaryMask mask, List<Vec2> handles, List<Vec2> targets,
                                      List<Vec2> userAxes) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (handles.size() != targets.size()) {
            throw new IllegalArgumentException(handles.size() + " handles but " + targets.size() + " targets");
        }
        if (mask != null && (mask.width() != width || mask.height() != height)) {
            throw new IllegalArgumentException("mask is " + mask.width() + "x" + mask.height() + ", image is "
                    + width + "x" + height);
        }
        for (int i = 0; i < handles.size(); i++) {
            requireInside("handle " + i, handles.get(i), width, height);
            requireInside("target " + i, targets.get(i), width, height);
            if (handles.get(i).distance(targets.get(i)) < 1e-9) {
                throw new IllegalArgumentException("pair " + i + " has handle == target: that is a rotation axis, "
                        + "pass it in userAxes");
            }
        }
        for (int i = 0; i < userAxes.size(); i++) {
            requireInside("axis " + i, userAxes.get(i), width, height);
        }
        boolean trivialMask = mask == null || mask.isEmpty() || mask.isFull();
        int[] labels = trivialMask ? null : mask.componentLabels();
        Vec2 centre = Rotation.centre(width, height);
        List<Choice> out = new ArrayList<>(handles.size());
        for (int i = 0; i < handles.size(); i++) {
            Vec2 h = handles.get(i);
            if (!userAxes.isEmpty()) {
                out.add(nearestUserAxis(h, userAxes, labels, width, height));
            } else if (mask == null || mask.isEmpty()) {
                out.add(new Choice(centre, Source.IMAGE_CENTRE_NO_MASK, "no mask drawn: image centre"));
            } else if (mask.isFull()) {
                out.add(new Choice(centre, Source.IMAGE_CENTRE_FULL_MASK, "mask covers the whole image: image centre"));
            } else {
                out.add(perpendicularLine(h, targets.get(i), labels, width, height, centre));
            }
        }
        return out;
    }

    /**
     * Counter-clockwise-on-screen angle in (-180, 180] degrees that rotates (initial - axis) onto
     * (current - axis); 0 when either vector is (nearly) zero.
     */
    public static double signedAngle(Vec2 axis, Vec2 initial, Vec2 current) {
        Vec2 a = initial.minus(axis);
        Vec2 b = current.minus(axis);
        if (a.norm() < 1e-9 || b.norm() < 1e-9) {
            return 0.0;
        }
        // y points down, so the on-screen counter-clockwise polar angle of v is atan2(-v.y, v.x)
        double deg = Math.toDegrees(Math.atan2(-b.y(), b.x()) - Math.atan2(-a.y(), a.x()));
        return Rotation.normalizeDegrees(deg);
    }

    /** {@link #signedAngle(Vec2, Vec2, Vec2)} in the given sense ({@link AngleSense#REFERENCE} negates it). */
    public static double signedAngle(Vec2 axis, Vec2 initial, Vec2 current, AngleSense sense) {
        return sense.fromProduct(signedAngle(axis, initial, current));
    }

    private static Choice nearestUserAxis(Vec2 h, List<Vec2> axes, int[] labels, int width, int height) {
        int handleLabel = labels == null ? 0 : labelAt(labels, h, width, height);
        boolean sameRegionOnly = false;
        if (handleLabel > 0) {
            for (Vec2 a : axes) {
                if (labelAt(labels, a, width, height) == handleLabel) {
                    sameRegionOnly = true;
                    break;
                }
            }
        }
        int best = -1;
        for (int k = 0; k < axes.size(); k++) {
            if (sameRegionOnly && labelAt(labels, axes.get(k), width, height) != handleLabel) {
                continue;
            }
            if (best < 0 || axes.get(k).distance(h) < axes.get(best).distance(h)) {
                best = k;
            }
        }
        String why = "user axis " + best + (sameRegionOnly ? ", the nearest in the handle's mask region"
                : ", the nearest to the handle");
        return new Choice(axes.get(best), Source.USER_AXIS, why);
    }

    private static Choice perpendicularLine(Vec2 h, Vec2 t, int[] labels, int width, int height, Vec2 centre) {
        int region = labelAt(labels, h, width, height);
        if (region == 0) {
            region = smallestBoxHolding(labels, h, width, height);
        }
        if (region == 0) {
            return new Choice(centre, Source.IMAGE_CENTRE_FALLBACK,
                    "handle " + h + " lies outside every mask region: image centre used");
        }
        Vec2 d = t.minus(h).normalized();
        Vec2 n = new Vec2(-d.y(), d.x());
        double reach = Math.hypot(width, height);
        Vec2 best = null;
        double bestDist = -1;
        for (double s = -reach; s <= reach; s += 0.25) {
            Vec2 q = h.plus(n.scale(s));
            int px = (int) Math.round(q.x());
            int py = (int) Math.round(q.y());
            if (px < 0 || py < 0 || px >= width || py >= height || labels[py * width + px] != region) {
                continue;
            }
            Vec2 cell = new Vec2(px, py);
            double dist = cell.distance(h);
            if (dist > bestDist + 1e-9) {
                best = cell;
                bestDist = dist;
            }
        }
        if (best == null || bestDist < 1.0) {
            return new Choice(centre, Source.IMAGE_CENTRE_FALLBACK, "the line through handle " + h
                    + " perpendicular to the drag meets its mask region only at the handle: image centre used");
        }
        return new Choice(best, Source.PERPENDICULAR_LINE, "farthest mask pixel of region " + region
                + " on the line through the handle perpendicular to the drag");
    }

    private static int smallestBoxHolding(int[] labels, Vec2 h, int width, int height) {
        int n = 0;
        for (int l : labels) {
            n = Math.max(n, l);
        }
        int[] minX = new int[n + 1];
        int[] minY = new int[n + 1];
        int[] maxX = new int[n + 1];
        int[] maxY = new int[n + 1];
        java.util.Arrays.fill(minX, Integer.MAX_VALUE);
        java.util.Arrays.fill(minY, Integer.MAX_VALUE);
        java.util.Arrays.fill(maxX, Integer.MIN_VALUE);
        java.util.Arrays.fill(maxY, Integer.MIN_VALUE);
        for (int k = 0; k < labels.length; k++) {
            int l = labels[k];
            if (l == 0) {
                continue;
            }
            int x = k % width;
            int y = k / width;
            minX[l] = Math.min(minX[l], x);
            maxX[l] = Math.max(maxX[l], x);
            minY[l] = Math.min(minY[l], y);
            maxY[l] = Math.max(maxY[l], y);
        }
        int best = 0;
        long bestArea = Long.MAX_VALUE;
        for (int l = 1; l <= n; l++) {
            if (h.x() >= minX[l] && h.x() <= maxX[l] && h.y() >= minY[l] && h.y() <= maxY[l]) {
                long area = (long) (maxX[l] - minX[l] + 1) * (maxY[l] - minY[l] + 1);
                if (area < bestArea) {
                    best = l;
                    bestArea = area;
                }
            }
        }
        return best;
    }

    private static int labelAt(int[] labels, Vec2 p, int width, int height) {
        int x = (int) Math.round(p.x());
        int y = (int) Math.round(p.y());
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return 0;
        }
        return labels[y * width + x];
    }

    private static void requireInside(String what, Vec2 p, int width, int height) {
        if (!p.inside(width, height)) {
            throw new IllegalArgumentException(what + " " + p + " lies outside the " + width + "x" + height + " image");
        }
    }
}
