package io.rotationdrag.eval;

/**
 * One handle -> target pair in image pixels (x right, y down). A pair whose handle equals its target is not a
 * drag but a user-given rotation axis (method.md).
 */
public record HandleTarget(double hx, double hy, double tx, double ty) {

    public HandleTarget {
        if (!Double.isFinite(hx) || !Double.isFinite(hy) || !Double.isFinite(tx) || !Double.isFinite(ty)) {
            throw new IllegalArgumentException("point coordinates must be finite");
        }
    }

    public boolean isRotationAxis() {
        return hx == tx && hy == ty;
    }

    /** |target - handle| in pixels. */
    public double length() {
        return Math.hypot(tx - hx, ty - hy);
    }
}
