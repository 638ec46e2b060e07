package io.rotationdrag.eval;

import io.rotationdrag.drag.Rotation;
import io.rotationdrag.drag.Vec2;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rotation-angle metric on images drawn by Java2D at known angles (an independent transform: the drawing never
 * uses the metric's rotation code), with templates made by rotating the source about the axis.
 */
class RotationAngleMetricTest {
    static final int SIZE = 96;
    /** The axis in pixel-centre coordinates (pixel i centred at i), off the image centre on purpose. */
    static final Vec2 AXIS = new Vec2(47, 50);
    static final int BACKGROUND = 0x28405A;

    /**
     * A flag on a pole turned by {@code deg} (counter-clockwise on screen) about {@link #AXIS}: the pole points
     * along +x from the axis at 0 degrees, the flag hangs off one side near the tip, so no turn maps it onto itself.
     */
    static BufferedImage flag(double deg) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(BACKGROUND));
            g.fillRect(0, 0, SIZE, SIZE);
            // Java2D pixel i spans [i, i + 1): the pixel-centre axis is at +0.5; rotate(-a) is counter-clockwise on screen
            AffineTransform t = AffineTransform.getTranslateInstance(AXIS.x() + 0.5, AXIS.y() + 0.5);
            t.rotate(-Math.toRadians(deg));
            g.setColor(new Color(235, 190, 40));
            g.fill(t.createTransformedShape(new Rectangle2D.Double(-3, -3, 37, 6)));
            Path2D flag = new Path2D.Double();
            flag.moveTo(18, -3);
            flag.lineTo(33, -3);
            flag.lineTo(26, -16);
            flag.closePath();
            g.setColor(new Color(210, 50, 60));
            g.fill(t.createTransformedShape(flag));
        } finally {
            g.dispose();
        }
        return img;
    }

    /** A disc of radius 40 about the axis: every turn of the flag stays inside it and inside the frame. */
    static PixelMask disc() {
        boolean[] b = new boolean[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                b[y * SIZE + x] = Math.hypot(x - AXIS.x(), y - AXIS.y()) <= 40;
            }
        }
        return PixelMask.of(SIZE, SIZE, b);
    }

    static RotationAngleResult measure(BufferedImage edit, double requested) {
        return RotationAngleMetric.measure(new RotatedSourceTemplates(flag(0), AXIS), edit, disc(), requested);
    }

    @Test
    void recoversTurnsOfBothSignsUpTo170Degrees() {
        for (double deg : new double[]{-170.3, -123.0, -64.6, -12.0, 7.5, 45.0, 91.2, 133.7, 169.8}) {
            RotationAngleResult r = measure(flag(deg), deg);
            assertTrue(r.turn(), deg + ": " + r.rejection());
            assertEquals(0.0, r.errorDeg(), 1.0, "turn " + deg + " recovered as " + r.recoveredDeg());
            assertEquals(Math.abs(r.errorDeg()), r.scoredErrorDeg(), 0.0);
            assertTrue(r.bestCorrelation() > 0.9, deg + ": correlation " + r.bestCorrelation());
            assertTrue(r.contrast() > 0.8, deg + ": contrast " + r.contrast());
        }
    }

    @Test
    void theErrorWrapsAround180Degrees() {
        // drawn at -179.6: the nearest candidate is +180 (-180 is the same turn and not a candidate), a naive
        // difference of 359.6 degrees that wraps to -0.4
        RotationAngleResult r = measure(flag(-179.6), -179.6);
        assertTrue(r.turn(), r.rejection());
        assertTrue(Math.abs(r.recoveredDeg() - r.requestedDeg()) > 300, "naive difference must wrap: " + r);
        assertEquals(-0.4, r.errorDeg(), 1.0);
        // a request past 180 is the same turn as its wrapped angle
        RotationAngleResult same = measure(flag(178.5), 178.5 - 360);
        assertEquals(178.5, same.requestedDeg(), 1e-9);
        assertEquals(0.0, same.errorDeg(), 1.0);
    }

    @Test
    void theRequestedTurnIsTheSignedAngleFromHandleToTargetAboutTheAxis() {
        Vec2 handle = new Vec2(AXIS.x() + 30, AXIS.y());
        for (double deg : new double[]{-150, -20, 35, 175}) {
            Vec2 target = Rotation.rotatePoint(handle, AXIS, deg);
            RotationRequest given = RotationRequest.of(SIZE, SIZE, disc(), List.of(
                    new HandleTarget(handle.x(), handle.y(), target.x(), target.y()),
                    new HandleTarget(AXIS.x(), AXIS.y(), AXIS.x(), AXIS.y())));
            assertTrue(given.applicable(), given.unavailableReason());
            assertEquals(AXIS, given.axis());
            assertEquals(deg, given.requestedDeg(), 1e-9);
            // the content drawn turned by that angle is recovered at it, and the image's own turn sense agrees:
            // the handle (at 0 degrees on the pole) moved to the target
            RotationAngleResult r = measure(flag(deg), given.requestedDeg());
            assertEquals(0.0, r.errorDeg(), 1.0, "turn " + deg);
        }
        // two handles about one axis ask for the circular mean of their turns (+170 and -170 -> 180, not 0)
        Vec2 other = new Vec2(AXIS.x(), AXIS.y() - 25);
        Vec2 t1 = Rotation.rotatePoint(handle, AXIS, 170);
        Vec2 t2 = Rotation.rotatePoint(other, AXIS, -170);
        RotationRequest two = RotationRequest.of(SIZE, SIZE, disc(), List.of(
                new HandleTarget(handle.x(), handle.y(), t1.x(), t1.y()),
                new HandleTarget(other.x(), other.y(), t2.x(), t2.y()),
                new HandleTarget(AXIS.x(), AXIS.y(), AXIS.x(), AXIS.y())));
        assertEquals(180.0, Math.abs(two.requestedDeg()), 1e-9);
        // no axis given and no mask: the editor's rule takes the image centre
        RotationRequest centre = RotationRequest.of(SIZE, SIZE, null, List.of(new HandleTarget(80, 47.5, 47.5, 15)));
        assertEquals(Rotation.centre(SIZE, SIZE), centre.axis());
        assertEquals(90.0, centre.requestedDeg(), 1e-9);
        // only axes: nothing was asked to turn
        RotationRequest none = RotationRequest.of(SIZE, SIZE, disc(), List.of(new HandleTarget(5, 5, 5, 5)));
        assertFalse(none.applicable());
        assertTrue(none.unavailableReason().contains("no drag pair"), none.unavailableReason());
        // two handles about different user axes ask for two turns
        RotationRequest split = RotationRequest.of(SIZE, SIZE, null, List.of(new HandleTarget(10, 10, 20, 10),
                new HandleTarget(80, 80, 80, 70), new HandleTarget(15, 20, 15, 20), new HandleTarget(70, 80, 70, 80)));
        assertFalse(split.applicable());
        assertTrue(split.unavailableReason().contains("different axes"), split.unavailableReason());
    }

    @Test
    void aSmearAFlatImageOrNoiseIsRejectedAndScoredAsNotTurned() {
        double requested = 60;
        BufferedImage turned = flag(requested);
        BufferedImage flat = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                flat.setRGB(x, y, 0x807060);
            }
        }
        SplittableRandom rnd = new SplittableRandom(3);
        BufferedImage noise = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                noise.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        // the typical failed drag: the part smeared over the region it swept, one colour, no pole or flag left
        BufferedImage fan = sweptSmear(requested);
        Map<String, BufferedImage> smears = Map.of("flat", flat, "noise", noise, "swept smear", fan,
                "swept smear, blurred", boxBlur(fan, 3), "blob (box blur r=16 of the turned flag)", boxBlur(turned, 16));
        for (Map.Entry<String, BufferedImage> e : smears.entrySet()) {
            RotationAngleResult r = measure(e.getValue(), requested);
            assertFalse(r.turn(), e.getKey() + " accepted as a turn: " + r);
            assertNotNull(r.rejection());
            assertEquals(requested, r.scoredErrorDeg(), 1e-12, e.getKey() + " is scored as not turned");
        }
        assertTrue(measure(flat, requested).rejection().contains("flat"));
        // the same flag, sharp, is accepted: the rejection is the smear's, not the scene's
        assertTrue(measure(turned, requested).turn());
        // a blur that keeps the part's orientation keeps its turn (r = 8 is wider than the pole)
        RotationAngleResult mild = measure(boxBlur(turned, 8), requested);
        assertTrue(mild.turn(), mild.rejection());
        assertEquals(0.0, mild.errorDeg(), 2.0);
    }

    @Test
    void groundTruthFloorAndEvaluatorMetrics() {
        // the edit turned 70 of the requested 110 degrees; the truth turned all of it
        Vec2 handle = new Vec2(AXIS.x() + 30, AXIS.y());
        Vec2 target = Rotation.rotatePoint(handle, AXIS, 110);
        List<HandleTarget> pts = List.of(new HandleTarget(handle.x(), handle.y(), target.x(), target.y()),
                new HandleTarget(AXIS.x(), AXIS.y(), AXIS.x(), AXIS.y()));
        Map<String, MetricValue> m = RotationAngleMetric.metrics(flag(0), disc(), flag(70), pts, flag(110)).stream()
                .collect(Collectors.toMap(MetricValue::name, v -> v));
        assertEquals(RotationAngleMetric.NAMES, List.copyOf(RotationAngleMetric.metrics(flag(0), disc(), flag(70),
                pts, flag(110)).stream().map(MetricValue::name).toList()));
        assertEquals(110.0, m.get(RotationAngleMetric.ANGLE_REQUESTED).require(), 1e-9);
        assertEquals(70.0, m.get(RotationAngleMetric.ANGLE_RECOVERED).require(), 1.0);
        assertEquals(40.0, m.get(RotationAngleMetric.ANGLE_ERROR).require(), 1.0);
        assertEquals(1.0, m.get(RotationAngleMetric.IS_TURN).require());
        assertEquals(0.0, m.get(RotationAngleMetric.ANGLE_ERROR_GT_FLOOR).require(), 1.0);
        assertTrue(m.get(RotationAngleMetric.MATCH_CORRELATION_GT_FLOOR).require() > 0.9);
        // without a ground truth the floor is unavailable with the reason; without a mask the whole image is compared
        Vec2 back = Rotation.rotatePoint(handle, AXIS, -35);
        List<HandleTarget> backwards = List.of(new HandleTarget(handle.x(), handle.y(), back.x(), back.y()), pts.get(1));
        Map<String, MetricValue> noGt = RotationAngleMetric.metrics(flag(0), null, flag(-35), backwards, null).stream()
                .collect(Collectors.toMap(MetricValue::name, v -> v));
        assertEquals(0.0, noGt.get(RotationAngleMetric.ANGLE_ERROR).require(), 1.0);
        assertTrue(noGt.get(RotationAngleMetric.ANGLE_ERROR_GT_FLOOR).unavailableReason().contains("ground-truth"));
        // an edit that asks for no turn reports every angle metric unavailable, never a number
        List<MetricValue> axesOnly = RotationAngleMetric.metrics(flag(0), disc(), flag(0), pts.subList(1, 2), null);
        assertEquals(RotationAngleMetric.NAMES.size(), axesOnly.size());
        assertTrue(axesOnly.stream().noneMatch(MetricValue::available));
    }

    /** The region the flag sweeps turning from 0 to {@code deg}, painted in one colour over the background. */
    static BufferedImage sweptSmear(double deg) {
        boolean[] swept = new boolean[SIZE * SIZE];
        for (int step = 0; step <= 30; step++) {
            BufferedImage f = flag(deg * step / 30);
            for (int k = 0; k < swept.length; k++) {
                swept[k] |= (f.getRGB(k % SIZE, k / SIZE) & 0xFFFFFF) != BACKGROUND;
            }
        }
        BufferedImage out = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < swept.length; k++) {
            out.setRGB(k % SIZE, k / SIZE, swept[k] ? 0xDC7832 : BACKGROUND);
        }
        return out;
    }

    /** Box blur of radius r, edges replicated. */
    static BufferedImage boxBlur(BufferedImage img, int r) {
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        int w = img.getWidth();
        int h = img.getHeight();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] s = new int[3];
                int n = 0;
                for (int dy = -r; dy <= r; dy++) {
                    for (int dx = -r; dx <= r; dx++) {
                        int p = img.getRGB(Math.max(0, Math.min(w - 1, x + dx)), Math.max(0, Math.min(h - 1, y + dy)));
                        s[0] += (p >> 16) & 255;
                        s[1] += (p >> 8) & 255;
                        s[2] += p & 255;
                        n++;
                    }
                }
                out.setRGB(x, y, (s[0] / n) << 16 | (s[1] / n) << 8 | (s[2] / n));
            }
        }
        return out;
    }
}
