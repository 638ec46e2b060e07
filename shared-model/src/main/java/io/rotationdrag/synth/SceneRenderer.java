package io.rotationdrag.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;

/**
 * Draws a {@link Scene} with Java2D. All geometry is vector geometry in pixels, so rendering the scene with its
 * part turned by an angle is the exact ground truth of rotating that part about its pivot.
 *
 * <p>The part is built in a local frame (origin at the pivot, pointing along +x) and placed with
 * {@code T = translate(pivot) * rotate(-angle)}: Java2D's rotate turns +x towards +y (clockwise on screen,
 * because y points down), so the minus sign makes positive angles counter-clockwise on screen.
 */
public final class SceneRenderer {

    private SceneRenderer() {
    }

    /** RGB image of the scene at {@code size x size}. */
    public static BufferedImage render(Scene s, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            paintBackground(g, s, size);
            paintBodyUnder(g, s, size);
            g.setColor(s.partColor().color());
            g.fill(partShape(s, size));
            paintBodyOver(g, s, size);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** The part's outline in image pixels (local part geometry placed at its pivot and angle). */
    public static Shape partShape(Scene s, int size) {
        return partTransform(s, size).createTransformedShape(localPart(s, size));
    }

    /**
     * Binary raster of the part alone (no anti-aliasing): {@code mask[y][x]} true where a pixel centre lies
     * inside the part.
     */
    public static boolean[][] partMask(Scene s, int size) {
        boolean[][] m = new boolean[size][size];
        Shape shape = partShape(s, size);
        Rectangle2D b = shape.getBounds2D();
        int x0 = Math.max(0, (int) Math.floor(b.getMinX())), x1 = Math.min(size - 1, (int) Math.ceil(b.getMaxX()));
        int y0 = Math.max(0, (int) Math.floor(b.getMinY())), y1 = Math.min(size - 1, (int) Math.ceil(b.getMaxY()));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                m[y][x] = shape.contains(x + 0.5, y + 0.5);
            }
        }
        return m;
    }

    /** The pivot (rotation axis) in image pixels. */
    public static Point2D pivot(Scene s, int size) {
        return new Point2D.Double(s.pivotX() * size, s.pivotY() * size);
    }

    /**
     * The handle point on the part, in image pixels: a point near the part's tip that lies well inside the
     * part (on its centre line, away from the edge), so that rotating the scene moves it with the part.
     */
    public static Point2D handle(Scene s, int size) {
        return partTransform(s, size).transform(localHandle(s, size), null);
    }

    static AffineTransform partTransform(Scene s, int size) {
        AffineTransform t = AffineTransform.getTranslateInstance(s.pivotX() * size, s.pivotY() * size);
        t.rotate(-Math.toRadians(s.baseAngleDeg()));
        return t;
    }

    private static Point2D localHandle(Scene s, int size) {
        double len = s.length() * size, w = s.width() * size;
        return switch (s.part()) {
            case BAR -> new Point2D.Double(len - 0.5 * w, 0);
            case CLOCK_HAND -> new Point2D.Double(0.8 * len, 0);
            case PENDULUM -> new Point2D.Double(len, 0);
            case ARROW -> new Point2D.Double(len - 0.12 * len, 0);
            case TAIL -> new Point2D.Double(0.85 * len, 0);
            case LETTER -> farthestLetterVertex(s, size);
        };
    }

    private static Shape localPart(Scene s, int size) {
        double len = s.length() * size, w = s.width() * size;
        switch (s.part()) {
            case BAR:
                return new RoundRectangle2D.Double(-0.5 * w, -0.5 * w, len + 0.5 * w, w, 0.6 * w, 0.6 * w);
            case CLOCK_HAND: {
                Path2D p = new Path2D.Double();
                p.moveTo(-0.2 * len, -0.5 * w);
                p.lineTo(0.7 * len, -0.5 * w);
                p.lineTo(len, 0);
                p.lineTo(0.7 * len, 0.5 * w);
                p.lineTo(-0.2 * len, 0.5 * w);
                p.closePath();
                return p;
            }
            case PENDULUM: {
                double bob = bobRadius(s, size);
                Area a = new Area(new Rectangle2D.Double(0, -0.25 * w, len, 0.5 * w));
                a.add(new Area(new Ellipse2D.Double(len - bob, -bob, 2 * bob, 2 * bob)));
                return a;
            }
            case ARROW: {
                double head = 0.3 * len, shaft = 0.6 * w;
                Path2D p = new Path2D.Double();
                p.moveTo(0, -0.5 * shaft);
                p.lineTo(len - head, -0.5 * shaft);
                p.lineTo(len - head, -0.5 * head);
                p.lineTo(len, 0);
                p.lineTo(len - head, 0.5 * head);
                p.lineTo(len - head, 0.5 * shaft);
                p.lineTo(0, 0.5 * shaft);
                p.closePath();
                return p;
            }
            case TAIL: {
                Path2D p = new Path2D.Double();
                p.moveTo(0, -0.6 * w);
                p.quadTo(0.5 * len, -0.55 * w, len, -0.25 * w);
                p.quadTo(len + 0.3 * w, 0, len, 0.25 * w);
                p.quadTo(0.5 * len, 0.55 * w, 0, 0.6 * w);
                p.closePath();
                return p;
            }
            case LETTER: {
                BasicStroke stroke = new BasicStroke((float) w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
                return stroke.createStrokedShape(letterPath(s, size));
            }
            default:
                throw new IllegalStateException("unknown part " + s.part());
        }
    }

    static double bobRadius(Scene s, int size) {
        return Math.max(1.1 * s.width() * size, 0.06 * size);
    }

    /** Stroke centre lines of the letter in a unit box, centred on the pivot; letter height = 2 * length. */
    private static double[][][] letterStrokes(char c) {
        return switch (c) {
            case 'F' -> new double[][][]{{{0, 1}, {0, 0}, {0.7, 0}}, {{0, 0.5}, {0.5, 0.5}}};
            case 'L' -> new double[][][]{{{0, 0}, {0, 1}, {0.7, 1}}};
            case 'T' -> new double[][][]{{{0, 0}, {0.8, 0}}, {{0.4, 0}, {0.4, 1}}};
            case 'K' -> new double[][][]{{{0, 0}, {0, 1}}, {{0.7, 0}, {0, 0.55}}, {{0.22, 0.42}, {0.7, 1}}};
            case 'P' -> new double[][][]{{{0, 1}, {0, 0}, {0.5, 0}, {0.7, 0.12}, {0.7, 0.38}, {0.5, 0.5}, {0, 0.5}}};
            case 'R' -> new double[][][]{{{0, 1}, {0, 0}, {0.5, 0}, {0.7, 0.12}, {0.7, 0.38}, {0.5, 0.5}, {0, 0.5}},
                    {{0.3, 0.5}, {0.7, 1}}};
            default -> throw new IllegalArgumentException("no strokes for letter " + c);
        };
    }

    private static double[] letterBox(char c) {
        // x extent of the unit-box glyph, to centre it horizontally on the pivot
        double maxX = 0;
        for (double[][] stroke : letterStrokes(c)) {
            for (double[] v : stroke) {
                maxX = Math.max(maxX, v[0]);
            }
        }
        return new double[]{maxX};
    }

    private static Point2D letterVertex(double[] v, double maxX, double h) {
        return new Point2D.Double((v[0] - 0.5 * maxX) * h, (v[1] - 0.5) * h);
    }

    private static Path2D letterPath(Scene s, int size) {
        double h = 2 * s.length() * size, maxX = letterBox(s.letter())[0];
        Path2D p = new Path2D.Double();
        for (double[][] stroke : letterStrokes(s.letter())) {
            for (int i = 0; i < stroke.length; i++) {
                Point2D q = letterVertex(stroke[i], maxX, h);
                if (i == 0) {
                    p.moveTo(q.getX(), q.getY());
                } else {
                    p.lineTo(q.getX(), q.getY());
                }
            }
        }
        return p;
    }

    /** The letter's stroke vertex farthest from the pivot: it lies on the stroke's centre line. */
    private static Point2D farthestLetterVertex(Scene s, int size) {
        double h = 2 * s.length() * size, maxX = letterBox(s.letter())[0];
        Point2D best = null;
        for (double[][] stroke : letterStrokes(s.letter())) {
            for (double[] v : stroke) {
                Point2D q = letterVertex(v, maxX, h);
                if (best == null || q.distance(0, 0) > best.distance(0, 0) + 1e-9) {
                    best = q;
                }
            }
        }
        return best;
    }

    private static void paintBackground(Graphics2D g, Scene s, int size) {
        Color c = s.bgColor().color();
        if (s.background() == Background.GRADIENT) {
            Color dark = new Color((int) (c.getRed() * 0.6), (int) (c.getGreen() * 0.6), (int) (c.getBlue() * 0.6));
            g.setPaint(new GradientPaint(0, 0, c, 0, size, dark));
        } else {
            g.setColor(c);
        }
        g.fillRect(0, 0, size, size);
    }

    /** Static body drawn below the part. */
    private static void paintBodyUnder(Graphics2D g, Scene s, int size) {
        double px = s.pivotX() * size, py = s.pivotY() * size, len = s.length() * size;
        Color body = s.bodyColor().color();
        switch (s.part()) {
            case CLOCK_HAND -> {
                double r = clockRadius(s, size);
                g.setColor(body);
                g.fill(new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
                g.setColor(contrast(body));
                g.setStroke(new BasicStroke((float) Math.max(1.0, 0.02 * size)));
                for (int k = 0; k < 4; k++) {
                    double a = k * Math.PI / 2, c = Math.cos(a), sn = Math.sin(a);
                    g.draw(new java.awt.geom.Line2D.Double(px + 0.8 * r * c, py + 0.8 * r * sn,
                            px + 0.95 * r * c, py + 0.95 * r * sn));
                }
            }
            case PENDULUM -> {
                double half = 0.15 * size, th = Math.max(2.0, 0.04 * size);
                g.setColor(body);
                g.fill(new Rectangle2D.Double(px - half, py - th, 2 * half, th));
            }
            default -> {
            }
        }
    }

    /** Static body drawn over the part's root (hub, pin, the animal body a tail hangs from). */
    private static void paintBodyOver(Graphics2D g, Scene s, int size) {
        double px = s.pivotX() * size, py = s.pivotY() * size, w = s.width() * size;
        Color body = s.bodyColor().color();
        switch (s.part()) {
            case BAR, ARROW -> {
                double r = Math.max(1.5, 0.7 * w);
                g.setColor(body);
                g.fill(new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
            }
            case CLOCK_HAND -> {
                double r = Math.max(1.5, 0.6 * w);
                g.setColor(contrast(body));
                g.fill(new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
            }
            case TAIL -> {
                double rx = tailBodyRx(s, size), ry = 0.6 * rx;
                double a = -Math.toRadians(s.bodyAngleDeg());
                AffineTransform t = AffineTransform.getTranslateInstance(px, py);
                t.rotate(a);
                // body ellipse starts a little behind the pivot so the tail root is hidden under it
                g.setColor(body);
                g.fill(t.createTransformedShape(new Ellipse2D.Double(-0.15 * rx, -ry, 2 * rx, 2 * ry)));
                double eye = Math.max(1.0, 0.12 * ry);
                g.setColor(contrast(body));
                g.fill(t.createTransformedShape(new Ellipse2D.Double(1.45 * rx - eye, -0.35 * ry - eye, 2 * eye,
                        2 * eye)));
            }
            default -> {
            }
        }
    }

    static double clockRadius(Scene s, int size) {
        return 1.2 * s.length() * size;
    }

    static double tailBodyRx(Scene s, int size) {
        return 0.75 * s.length() * size;
    }

    /** Bounds of everything static the scene draws besides the background (to keep it inside the frame). */
    static Rectangle2D bodyBounds(Scene s, int size) {
        double px = s.pivotX() * size, py = s.pivotY() * size;
        return switch (s.part()) {
            case CLOCK_HAND -> {
                double r = clockRadius(s, size);
                yield new Rectangle2D.Double(px - r, py - r, 2 * r, 2 * r);
            }
            case PENDULUM -> new Rectangle2D.Double(px - 0.15 * size, py - 0.04 * size, 0.3 * size, 0.04 * size);
            case TAIL -> {
                double rx = tailBodyRx(s, size), ry = 0.6 * rx;
                AffineTransform t = AffineTransform.getTranslateInstance(px, py);
                t.rotate(-Math.toRadians(s.bodyAngleDeg()));
                yield t.createTransformedShape(new Ellipse2D.Double(-0.15 * rx, -ry, 2 * rx, 2 * ry)).getBounds2D();
            }
            default -> new Rectangle2D.Double(px, py, 0, 0);
        };
    }

    private static Color contrast(Color c) {
        double lum = 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
        return lum > 128 ? new Color(20, 20, 20) : new Color(240, 240, 240);
    }
}
