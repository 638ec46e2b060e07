package io.rotationdrag.drag;

/**
 * A 2-D point or vector in image coordinates: x to the right, y downwards, in pixels of whatever grid the caller
 * names (image pixels or feature-map cells). Pixel (i, j) has its centre at x = i, y = j.
 */
public record Vec2(double x, double y) {

    public Vec2 {
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new IllegalArgumentException("point coordinates must be finite, got (" + x + ", " + y + ")");
        }
    }

    public static Vec2 of(double x, double y) {
        return new Vec2(x, y);
    }

    public Vec2 plus(Vec2 o) {
        return new Vec2(x + o.x, y + o.y);
    }

    public Vec2 minus(Vec2 o) {
        return new Vec2(x - o.x, y - o.y);
    }

    public Vec2 scale(double s) {
        return new Vec2(x * s, y * s);
    }

    public double norm() {
        return Math.hypot(x, y);
    }

    public double distance(Vec2 o) {
        return Math.hypot(x - o.x, y - o.y);
    }

    /** Unit vector in the same direction; throws for a (near) zero vector, which has no direction. */
    public Vec2 normalized() {
        double n = norm();
        if (n < 1e-12) {
            throw new IllegalArgumentException("cannot normalise a zero vector");
        }
        return new Vec2(x / n, y / n);
    }

    /** Both coordinates rounded half up (Math.round), as integral doubles. */
    public Vec2 rounded() {
        return new Vec2(Math.round(x), Math.round(y));
    }

    /** Clamped into [0, width-1] x [0, height-1]. */
    public Vec2 clamp(int width, int height) {
        return new Vec2(Math.max(0, Math.min(width - 1, x)), Math.max(0, Math.min(height - 1, y)));
    }

    public boolean inside(int width, int height) {
        return x >= 0 && y >= 0 && x <= width - 1 && y <= height - 1;
    }

    @Override
    public String toString() {
        return "(" + x + ", " + y + ")";
    }
}
