package io.rotationdrag.drag;

import java.util.List;

/**
 * A 2-D similarity transform in image coordinates (x right, y down): rotation by {@code angleDeg} and uniform scale
 * {@code scale} about {@code centre}, then a translation:
 * <pre>
 *   T(p) = c + s R_a (p - c) + t,   R_a (dx, dy) = (dx cos a + dy sin a, -dx sin a + dy cos a)
 * </pre>
 * R_a is {@link Rotation#rotatePoint}'s rotation: positive angles turn counter-clockwise <em>on screen</em>
 * (a point right of the centre moves up for a = +90), the sense of {@link RotationAxis#signedAngle}.
 *
 * <p>With the y axis flipped (u = dx, v = -dy) R_a is the ordinary counter-clockwise rotation, so a point relative to
 * the centre is the complex number z = dx - i dy and T is z -> s e^{ia} z (+ t); the least-squares fits below use
 * that form.
 *
 * @param centre   the fixed point of the rotation and scale
 * @param angleDeg rotation, degrees, counter-clockwise on screen (any finite value; 360 is a full turn)
 * @param scale    uniform scale, > 0
 * @param shift    translation applied after the rotation and scale
 */
public record SimilarityTransform(Vec2 centre, double angleDeg, double scale, Vec2 shift) {

    public SimilarityTransform {
        if (centre == null || shift == null) {
            throw new IllegalArgumentException("centre and shift are required");
        }
        if (!Double.isFinite(angleDeg)) {
            throw new IllegalArgumentException("angle must be finite, got " + angleDeg);
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
        }
    }

    public static SimilarityTransform identity() {
        return new SimilarityTransform(new Vec2(0, 0), 0, 1, new Vec2(0, 0));
    }

    /** Rotation (and scale) about {@code centre}, no translation. */
    public static SimilarityTransform about(Vec2 centre, double angleDeg, double scale) {
        return new SimilarityTransform(centre, angleDeg, scale, new Vec2(0, 0));
    }

    /** A pure translation by {@code d}. */
    public static SimilarityTransform translation(Vec2 d) {
        return new SimilarityTransform(new Vec2(0, 0), 0, 1, d);
    }

    /**
     * The rotation and scale about {@code axis} that take {@code handle} exactly onto {@code target}:
     * a = signedAngle(axis, handle, target), s = |target - axis| / |handle - axis|.
     *
     * @throws IllegalArgumentException when the handle or the target sits on the axis (no angle is defined)
     */
    public static SimilarityTransform aboutAxis(Vec2 axis, Vec2 handle, Vec2 target) {
        double rh = handle.distance(axis);
        double rt = target.distance(axis);
        if (rh < 1e-9 || rt < 1e-9) {
            throw new IllegalArgumentException("handle " + handle + " or target " + target + " lies on the axis "
                    + axis + ": no rotation is defined");
        }
        return about(axis, RotationAxis.signedAngle(axis, handle, target), rt / rh);
    }

    /**
     * Least-squares rotation + uniform scale about a fixed {@code axis} taking every handle onto its target: with
     * z_i = handle_i - axis and w_i = target_i - axis as complex numbers (x - i y), the k = s e^{ia} minimising
     * sum |k z_i - w_i|^2 is k = sum conj(z_i) w_i / sum |z_i|^2. Exact (residual 0) when the pairs are consistent;
     * one pair gives {@link #aboutAxis}.
     */
    public static SimilarityTransform leastSquaresAbout(Vec2 axis, List<Vec2> handles, List<Vec2> targets) {
        requirePairs(handles, targets);
        double re = 0;
        double im = 0;
        double norm = 0;
        for (int i = 0; i < handles.size(); i++) {
            double zr = handles.get(i).x() - axis.x();
            double zi = -(handles.get(i).y() - axis.y());
            double wr = targets.get(i).x() - axis.x();
            double wi = -(targets.get(i).y() - axis.y());
            re += zr * wr + zi * wi;   // Re(conj(z) w)
            im += zr * wi - zi * wr;   // Im(conj(z) w)
            norm += zr * zr + zi * zi;
        }
        if (norm < 1e-12 || Math.hypot(re, im) < 1e-12) {
            throw new IllegalArgumentException("every handle or target lies on the axis " + axis
                    + ": no rotation is defined");
        }
        return about(axis, Math.toDegrees(Math.atan2(im, re)), Math.hypot(re, im) / norm);
    }

    /** The translation by the mean displacement target_i - handle_i (least squares among translations). */
    public static SimilarityTransform meanTranslation(List<Vec2> handles, List<Vec2> targets) {
        requirePairs(handles, targets);
        double dx = 0;
        double dy = 0;
        for (int i = 0; i < handles.size(); i++) {
            dx += targets.get(i).x() - handles.get(i).x();
            dy += targets.get(i).y() - handles.get(i).y();
        }
        return translation(new Vec2(dx / handles.size(), dy / handles.size()));
    }

    /** T(p). */
    public Vec2 apply(Vec2 p) {
        double r = Math.toRadians(angleDeg);
        double c = Math.cos(r);
        double s = Math.sin(r);
        double dx = p.x() - centre.x();
        double dy = p.y() - centre.y();
        return new Vec2(centre.x() + scale * (dx * c + dy * s) + shift.x(),
                centre.y() + scale * (-dx * s + dy * c) + shift.y());
    }

    /** T^-1, with T^-1(T(p)) = p: rotation by -a and scale 1/s about the same centre after undoing the shift. */
    public SimilarityTransform inverse() {
        // T^-1(q) = c + (1/s) R_-a (q - t - c) = c + (1/s) R_-a (q - c) - (1/s) R_-a t
        SimilarityTransform rs = about(centre, -angleDeg, 1 / scale);
        Vec2 back = rs.apply(centre.plus(shift)).minus(centre);
        return new SimilarityTransform(centre, -angleDeg, 1 / scale, back.scale(-1));
    }

    /**
     * {@code this} followed by {@code next}: (this.then(next))(p) = next(this(p)), itself a similarity (angles add,
     * scales multiply), expressed about this transform's centre.
     */
    public SimilarityTransform then(SimilarityTransform next) {
        double a = angleDeg + next.angleDeg;
        double s = scale * next.scale;
        // the composite fixes nothing in particular; pick the centre c of this and solve the shift from T(c)
        Vec2 image = next.apply(apply(centre));
        return new SimilarityTransform(centre, a, s, image.minus(centre));
    }

    /** True for a transform that moves no point (0 angle modulo 360, scale 1, no shift), within {@code tol}. */
    public boolean isIdentity(double tol) {
        return Math.abs(Rotation.normalizeDegrees(angleDeg)) <= tol && Math.abs(scale - 1) <= tol
                && shift.norm() <= tol;
    }

    private static void requirePairs(List<Vec2> handles, List<Vec2> targets) {
        if (handles == null || targets == null || handles.isEmpty() || handles.size() != targets.size()) {
            throw new IllegalArgumentException("need as many targets as handles, at least one; got "
                    + (handles == null ? 0 : handles.size()) + " handles and " + (targets == null ? 0 : targets.size())
                    + " targets");
        }
    }
}
