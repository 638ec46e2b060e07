package io.rotationdrag.synth;

import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;

/**
 * One benchmark sample: a scene, its part turned by a known angle about a known axis.
 *
 * @param id          folder name of the sample
 * @param scene       the unrotated scene
 * @param size        image side in pixels
 * @param angleDeg    rotation of the part, degrees, positive = counter-clockwise on screen
 * @param image       the scene as drawn (the edit's input)
 * @param groundTruth the scene re-drawn with the part turned by {@code angleDeg} about its pivot
 * @param mask        {@code mask[y][x]} = 1 where the part sweeps while turning (dilated): the editable region
 * @param handle      point near the part's tip
 * @param target      {@code handle} turned by {@code angleDeg} about {@code axis}
 * @param axis        the pivot
 * @param axisGiven   whether the axis is handed to the editor as a point pair with handle == target
 */
public record RotationSample(String id, Scene scene, int size, double angleDeg, BufferedImage image,
                             BufferedImage groundTruth, byte[][] mask, Point2D handle, Point2D target,
                             Point2D axis, boolean axisGiven) {

    public String prompt() {
        return scene.prompt();
    }

    /**
     * Point {@code p} turned by {@code angleDeg} (counter-clockwise on screen) about {@code c}, in image
     * coordinates with y down: x' = cx + dx cos a + dy sin a, y' = cy - dx sin a + dy cos a.
     */
    public static Point2D rotate(Point2D p, Point2D c, double angleDeg) {
        double a = Math.toRadians(angleDeg), dx = p.getX() - c.getX(), dy = p.getY() - c.getY();
        return new Point2D.Double(c.getX() + dx * Math.cos(a) + dy * Math.sin(a),
                c.getY() - dx * Math.sin(a) + dy * Math.cos(a));
    }
}
