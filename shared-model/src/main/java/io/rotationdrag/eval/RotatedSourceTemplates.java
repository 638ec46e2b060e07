package io.rotationdrag.eval;

import io.rotationdrag.drag.Rotation;
import io.rotationdrag.drag.Vec2;

import java.awt.image.BufferedImage;

/**
 * Templates made by rotating the source image about the axis, under {@link Rotation}'s convention (pixel (i, j)
 * centred at (i, j); content at p lands at rotatePoint(p, axis, a)). Inverse mapping: template pixel q takes the
 * source at rotatePoint(q, axis, -a), bilinearly, with edge replication inside the pixel grid's area
 * (-0.5 &lt;= sx &lt; W - 0.5, same for y); outside it the template has no value (not a fill colour, so a border
 * never counts as content).
 */
public final class RotatedSourceTemplates implements TemplateSource {
    public static final String NAME = "rotate-source";

    private final ImagePlanes source;
    private final Vec2 axis;

    public RotatedSourceTemplates(BufferedImage source, Vec2 axis) {
        if (source == null) {
            throw new IllegalArgumentException("source image is null");
        }
        if (axis == null || !Double.isFinite(axis.x()) || !Double.isFinite(axis.y())) {
            throw new IllegalArgumentException("axis must be a finite point, got " + axis);
        }
        this.source = ImagePlanes.of(source);
        this.axis = axis;
    }

    public Vec2 axis() {
        return axis;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int width() {
        return source.width();
    }

    @Override
    public int height() {
        return source.height();
    }

    @Override
    public Template at(double degrees, int[] pixels) {
        int w = source.width();
        int h = source.height();
        double r = Math.toRadians(Rotation.normalizeDegrees(-degrees));
        double cos = Math.cos(r);
        double sin = Math.sin(r);
        double[][] out = new double[3][pixels.length];
        boolean[] valid = new boolean[pixels.length];
        double[][] src = {source.channel(0), source.channel(1), source.channel(2)};
        for (int i = 0; i < pixels.length; i++) {
            int k = pixels[i];
            double dx = k % w - axis.x();
            double dy = k / w - axis.y();
            // rotatePoint(q, axis, -a): x' = c.x + dx cos + dy sin, y' = c.y - dx sin + dy cos
            double sx = axis.x() + dx * cos + dy * sin;
            double sy = axis.y() - dx * sin + dy * cos;
            if (!(sx >= -0.5 && sx < w - 0.5 && sy >= -0.5 && sy < h - 0.5)) {
                continue;
            }
            valid[i] = true;
            // bilinear with edge replication: clamp to the outermost pixel centres first
            double cx = Math.max(0, Math.min(w - 1, sx));
            double cy = Math.max(0, Math.min(h - 1, sy));
            int x0 = Math.min((int) cx, Math.max(0, w - 2));
            int y0 = Math.min((int) cy, Math.max(0, h - 2));
            int x1 = Math.min(x0 + 1, w - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double fx = cx - x0;
            double fy = cy - y0;
            double w00 = (1 - fx) * (1 - fy);
            double w01 = fx * (1 - fy);
            double w10 = (1 - fx) * fy;
            double w11 = fx * fy;
            int i00 = y0 * w + x0;
            int i01 = y0 * w + x1;
            int i10 = y1 * w + x0;
            int i11 = y1 * w + x1;
            for (int c = 0; c < 3; c++) {
                double[] p = src[c];
                out[c][i] = w00 * p[i00] + w01 * p[i01] + w10 * p[i10] + w11 * p[i11];
            }
        }
        return new Template(out, valid);
    }
}
