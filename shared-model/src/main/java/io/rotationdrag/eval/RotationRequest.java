package io.rotationdrag.eval;

import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.RotationAxis;
import io.rotationdrag.drag.Vec2;

import java.util.ArrayList;
import java.util.List;

/**
 * The turn an edit asked for, as {@link RotationAngleMetric} needs it: the axis (given as a handle == target pair,
 * or derived by the editor's own rule, {@link RotationAxis#select}) and the requested angle, the signed angle from
 * handle to target about the axis ({@link RotationAxis#signedAngle}, counter-clockwise on screen, in (-180, 180]).
 * Several handles about one axis (within {@link #SAME_AXIS_PX}) ask for the circular mean of their angles; handles
 * about different axes ask for several turns, which one angle cannot score: the request is then not applicable.
 *
 * @param axis              the axis in image pixels (pixel i centred at i), null when not applicable
 * @param requestedDeg      the requested turn, NaN when not applicable
 * @param axisRule          where the axis came from ({@link RotationAxis.Choice#reason()}), null when not applicable
 * @param unavailableReason why the metric does not apply, null when it does
 */
public record RotationRequest(Vec2 axis, double requestedDeg, String axisRule, String unavailableReason) {
    /** Axes of several handles closer than this (pixels) count as one axis. */
    public static final double SAME_AXIS_PX = 1.0;

    public boolean applicable() {
        return unavailableReason == null;
    }

    static RotationRequest notApplicable(String why) {
        return new RotationRequest(null, Double.NaN, null, why);
    }

    /**
     * @param width  image width
     * @param height image height
     * @param mask   the edit mask, or null for none
     * @param points the edit's pairs; pairs with handle == target are user axes
     */
    public static RotationRequest of(int width, int height, PixelMask mask, List<HandleTarget> points) {
        List<Vec2> handles = new ArrayList<>();
        List<Vec2> targets = new ArrayList<>();
        List<Vec2> axes = new ArrayList<>();
        for (HandleTarget p : points) {
            if (p.isRotationAxis()) {
                axes.add(new Vec2(p.hx(), p.hy()));
            } else {
                handles.add(new Vec2(p.hx(), p.hy()));
                targets.add(new Vec2(p.tx(), p.ty()));
            }
        }
        if (handles.isEmpty()) {
            return notApplicable("no drag pair: nothing was asked to turn");
        }
        BinaryMask m = mask == null ? null : new BinaryMask(width, height, mask.toArray());
        List<RotationAxis.Choice> choices;
        try {
            choices = RotationAxis.select(width, height, m, handles, targets, axes);
        } catch (IllegalArgumentException e) {
            return notApplicable("no rotation axis: " + e.getMessage());
        }
        Vec2 axis = choices.get(0).axis();
        double sin = 0;
        double cos = 0;
        for (int i = 0; i < handles.size(); i++) {
            Vec2 a = choices.get(i).axis();
            if (a.distance(axis) > SAME_AXIS_PX) {
                return notApplicable("handles turn about different axes (" + axis + " and " + a
                        + "): one angle cannot score several turns");
            }
            double deg = Math.toRadians(RotationAxis.signedAngle(a, handles.get(i), targets.get(i)));
            sin += Math.sin(deg);
            cos += Math.cos(deg);
        }
        double requested = io.rotationdrag.drag.Rotation.normalizeDegrees(Math.toDegrees(Math.atan2(sin, cos)));
        return new RotationRequest(axis, requested, choices.get(0).reason(), null);
    }
}
