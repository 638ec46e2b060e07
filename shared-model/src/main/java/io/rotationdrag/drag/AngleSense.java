package io.rotationdrag.drag;

/**
 * Which sign the rotation angle of a handle gets.
 *
 * <p>{@link #PRODUCT} (default): the angle is the counter-clockwise-on-screen rotation that takes the initial handle
 * to the current handle about its axis, and the source image is rotated by that same angle, i.e. the way the handle
 * moved.
 *
 * <p>{@link #REFERENCE} reproduces the public reference implementation for comparison: its angle is
 * {@code atan2(row, col)} of the current minus that of the initial handle, which is positive for <em>clockwise</em>
 * motion on screen (y points down), while its image and point rotations are counter-clockwise-positive. The template
 * is then taken from content rotated the opposite way to the handle. Numerically the reference angle is the negative
 * of the product angle; both are then used as counter-clockwise rotations of image and point.
 */
public enum AngleSense {
    PRODUCT,
    REFERENCE;

    /** Converts a product-sense angle (degrees) into this sense. */
    public double fromProduct(double productDegrees) {
        return this == PRODUCT ? productDegrees : Rotation.normalizeDegrees(-productDegrees);
    }
}
