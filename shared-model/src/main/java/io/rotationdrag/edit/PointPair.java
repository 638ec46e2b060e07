package io.rotationdrag.edit;

/**
 * One user point pair in image pixels of the input image (x right, y down). A pair whose handle equals its target is
 * not a drag but a user-given rotation axis (RotationDrag).
 */
public record PointPair(double hx, double hy, double tx, double ty) {

    /** Handle and target closer than this (pixels) count as equal: the pair is a rotation axis. */
    public static final double AXIS_EPSILON = 1e-6;

    public boolean isAxis() {
        return Math.abs(hx - tx) <= AXIS_EPSILON && Math.abs(hy - ty) <= AXIS_EPSILON;
    }

    public static PointPair of(double hx, double hy, double tx, double ty) {
        return new PointPair(hx, hy, tx, ty);
    }

    public static PointPair axis(double x, double y) {
        return new PointPair(x, y, x, y);
    }
}
