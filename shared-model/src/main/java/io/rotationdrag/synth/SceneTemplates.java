package io.rotationdrag.synth;

import io.rotationdrag.drag.Vec2;
import io.rotationdrag.eval.ImagePlanes;
import io.rotationdrag.eval.RotatedSourceTemplates;
import io.rotationdrag.eval.TemplateSource;

import java.awt.geom.Point2D;

/**
 * Templates of the rotation-angle metric for a known scene: the scene re-rendered with only its part turned by
 * each candidate angle ({@link Scene#rotated}), so fixed bodies, clock faces and gradients inside the mask stay
 * where they are. Exact where rotating the source image is not.
 */
public final class SceneTemplates implements TemplateSource {
    public static final String NAME = "re-render";

    private final Scene scene;
    private final int size;

    /** @param scene the scene as the edit's input shows it (the part at its base angle) */
    public SceneTemplates(Scene scene, int size) {
        if (scene == null) {
            throw new IllegalArgumentException("scene is null");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        this.scene = scene;
        this.size = size;
    }

    /** Re-render templates of a benchmark sample's scene. */
    public static SceneTemplates of(RotationSample s) {
        return new SceneTemplates(s.scene(), s.size());
    }

    /**
     * Rotate-source templates of a sample, for comparison: the sample's axis is in Java2D coordinates (pixel i
     * covers [i, i + 1)), the rotation convention centres pixel i at i, hence the half-pixel shift.
     */
    public static RotatedSourceTemplates rotatedSource(RotationSample s) {
        return new RotatedSourceTemplates(s.image(), pixelCentreAxis(s.axis()));
    }

    /** A Java2D point (pixel i spans [i, i + 1)) in pixel-centre coordinates (pixel i centred at i). */
    public static Vec2 pixelCentreAxis(Point2D p) {
        return new Vec2(p.getX() - 0.5, p.getY() - 0.5);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int width() {
        return size;
    }

    @Override
    public int height() {
        return size;
    }

    @Override
    public Template at(double degrees, int[] pixels) {
        ImagePlanes p = ImagePlanes.of(SceneRenderer.render(scene.rotated(degrees), size));
        double[][] rgb = new double[3][pixels.length];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < pixels.length; i++) {
                rgb[c][i] = p.channel(c)[pixels[i]];
            }
        }
        return new Template(rgb, null);
    }
}
