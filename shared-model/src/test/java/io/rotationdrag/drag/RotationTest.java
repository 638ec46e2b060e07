package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RotationTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    // a non-square size, so a height-based centre for both axes (a reference defect) would fail
    private static final int W = 72;
    private static final int H = 50;

    @Test
    void pointRotationBasics() {
        Vec2 c = Vec2.of(10, 10);
        assertClose(Vec2.of(10, 0), Rotation.rotatePoint(Vec2.of(20, 10), c, 90), 1e-12); // right -> up
        assertClose(Vec2.of(0, 10), Rotation.rotatePoint(Vec2.of(20, 10), c, 180), 1e-12);
        assertClose(Vec2.of(10, 20), Rotation.rotatePoint(Vec2.of(20, 10), c, -90), 1e-12);
        assertClose(Vec2.of(17, 3), Rotation.rotatePoint(Vec2.of(17, 3), c, 360), 1e-12);
        assertClose(Vec2.of(17, 3), Rotation.rotatePoint(Rotation.rotatePoint(Vec2.of(17, 3), c, 33), c, -33), 1e-12);
        assertEquals(new Vec2(35.5, 24.5), Rotation.centre(W, H));
        assertEquals(180, Rotation.normalizeDegrees(-180), 0);
        assertEquals(-170, Rotation.normalizeDegrees(550), 1e-12);
        assertEquals(0, Rotation.normalizeDegrees(720), 0);
    }

    /** Image with a Gaussian blob (sigma 1.2) of white on black centred at p. */
    private static BufferedImage dotImage(Vec2 p) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double v = 255 * Math.exp(-(Math.pow(x - p.x(), 2) + Math.pow(y - p.y(), 2)) / (2 * 1.2 * 1.2));
                int g = (int) Math.round(v);
                img.setRGB(x, y, (g << 16) | (g << 8) | g);
            }
        }
        return img;
    }

    private static double[] centroidAndPeak(float[] v, int w, int h) {
        double sx = 0;
        double sy = 0;
        double s = 0;
        int peak = 0;
        for (int k = 0; k < v.length; k++) {
            if (v[k] > v[peak]) {
                peak = k;
            }
        }
        // centroid of the blob around the peak (ignores fill and far pixels)
        for (int k = 0; k < v.length; k++) {
            int x = k % w;
            int y = k / w;
            if (Math.abs(x - peak % w) <= 5 && Math.abs(y - peak / w) <= 5) {
                sx += v[k] * x;
                sy += v[k] * y;
                s += v[k];
            }
        }
        return new double[] {sx / s, sy / s, peak % w, peak / w};
    }

    private static float[] red(BufferedImage img) {
        int[] rgb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        float[] r = new float[rgb.length];
        for (int k = 0; k < rgb.length; k++) {
            r[k] = (rgb[k] >> 16) & 0xFF;
        }
        return r;
    }

    @Test
    void rotatedImageDotLandsWherePointRotationSays() {
        Vec2 p = Vec2.of(52, 14);
        Vec2 c = Rotation.centre(W, H);
        for (double a : new double[] {30, -47, 90, 135, -170}) {
            Vec2 expected = Rotation.rotatePoint(p, c, a);
            BufferedImage rotated = Rotation.rotate(dotImage(p), a, Rotation.Interpolation.BILINEAR, 0);
            double[] got = centroidAndPeak(red(rotated), W, H);
            assertEquals(expected.x(), got[0], 0.25, "bilinear x at " + a);
            assertEquals(expected.y(), got[1], 0.25, "bilinear y at " + a);
            BufferedImage nearest = Rotation.rotate(dotImage(p), a, Rotation.Interpolation.NEAREST, 0);
            double[] n = centroidAndPeak(red(nearest), W, H);
            assertEquals(expected.x(), n[0], 0.6, "nearest x at " + a);
            assertEquals(expected.y(), n[1], 0.6, "nearest y at " + a);
        }
    }

    @Test
    void rotatedFeatureMapDotLandsWherePointRotationSays() {
        Vec2 p = Vec2.of(20, 34); // stays >= 6 px inside the frame for any angle
        Vec2 c = Rotation.centre(W, H);
        float[] blob = red(dotImage(p));
        // 3 channels: the blob, its negative, and a constant; shape [3, H, W]
        float[] data = new float[3 * W * H];
        for (int k = 0; k < W * H; k++) {
            data[k] = blob[k] / 255f;
            data[W * H + k] = -blob[k] / 255f;
            data[2 * W * H + k] = 1f;
        }
        NDArray f = manager.create(data, new Shape(3, H, W));
        for (double a : new double[] {25, -60, 100}) {
            Vec2 expected = Rotation.rotatePoint(p, c, a);
            NDArray r = Rotation.rotate(f, a, Rotation.Interpolation.BILINEAR, 0f);
            assertEquals(f.getShape(), r.getShape());
            float[] ch0 = r.get(0).toFloatArray();
            double[] got = centroidAndPeak(ch0, W, H);
            assertEquals(expected.x(), got[0], 0.25, "x at " + a);
            assertEquals(expected.y(), got[1], 0.25, "y at " + a);
            // channel 2 is 1 inside the rotated frame and the fill value 0 outside
            float[] ch2 = r.get(2).toFloatArray();
            assertEquals(1f, ch2[(int) (c.y()) * W + (int) c.x()], 1e-6);
            assertEquals(0f, ch2[0], 0f); // a corner is cut by any rotation of this size
            // batch axis kept
            NDArray b = Rotation.rotate(f.expandDims(0), a, Rotation.Interpolation.NEAREST, 0f);
            assertEquals(new Shape(1, 3, H, W), b.getShape());
        }
    }

    private static BufferedImage smoothImage() {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int r = (int) Math.round(127 + 100 * Math.sin(x / 7.0) * Math.cos(y / 9.0));
                int g = (int) Math.round(127 + 100 * Math.cos((x + y) / 11.0));
                int b = (x * 255) / (W - 1);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    @Test
    void zeroAnd360DegreesAreIdentities() {
        BufferedImage img = smoothImage();
        int[] src = img.getRGB(0, 0, W, H, null, 0, W);
        for (double a : new double[] {0, 360, -360, 720}) {
            for (Rotation.Interpolation in : Rotation.Interpolation.values()) {
                int[] out = Rotation.rotate(img, a, in, Rotation.GREY_RGB).getRGB(0, 0, W, H, null, 0, W);
                for (int k = 0; k < src.length; k++) {
                    assertEquals(src[k] & 0xFFFFFF, out[k] & 0xFFFFFF, "pixel " + k + " at " + a + " " + in);
                }
            }
        }
        NDArray f = manager.randomNormal(new Shape(4, H, W));
        for (double a : new double[] {0, 360}) {
            NDArray r = Rotation.rotate(f, a, Rotation.Interpolation.BILINEAR, 0f);
            assertTrue(r.sub(f).abs().max().getFloat() < 1e-5f, "feature identity at " + a);
        }
    }

    @Test
    void rotationRoundTripRestoresTheInscribedDisc() {
        BufferedImage img = smoothImage();
        Vec2 c = Rotation.centre(W, H);
        double radius = Math.min(W, H) / 2.0 - 2;
        for (double a : new double[] {17, -75, 140}) {
            BufferedImage back = Rotation.rotate(Rotation.rotate(img, a, Rotation.Interpolation.BILINEAR, 0),
                    -a, Rotation.Interpolation.BILINEAR, 0);
            double maxErr = 0;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    if (Vec2.of(x, y).distance(c) > radius) {
                        continue;
                    }
                    int p = img.getRGB(x, y);
                    int q = back.getRGB(x, y);
                    for (int s = 0; s <= 16; s += 8) {
                        maxErr = Math.max(maxErr, Math.abs(((p >> s) & 0xFF) - ((q >> s) & 0xFF)));
                    }
                }
            }
            // two bilinear resamplings of a smooth image: a few grey levels of blur and rounding
            assertTrue(maxErr <= 8, "round trip error " + maxErr + " at " + a);
        }
        // pixels the first rotation cut away come back as the fill value
        BufferedImage back = Rotation.rotate(Rotation.rotate(img, 45, Rotation.Interpolation.NEAREST, 0x123456),
                -45, Rotation.Interpolation.NEAREST, 0x123456);
        assertEquals(0x123456, back.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void featureGridMapsCentresOntoCentres() {
        FeatureGrid g = FeatureGrid.scaled(512, 384, 0.5);
        assertEquals(256, g.featureWidth());
        assertEquals(192, g.featureHeight());
        assertClose(g.featureCentre(), g.toFeature(Rotation.centre(512, 384)), 1e-12);
        assertClose(Vec2.of(100, 37), g.toImage(g.toFeature(Vec2.of(100, 37))), 1e-12);
        assertEquals(Vec2.of(255, 0), g.toFeatureCell(Vec2.of(600, -5)));
        // rotating about the image centre then mapping == mapping then rotating about the feature centre
        Vec2 p = Vec2.of(400, 50);
        assertClose(g.toFeature(Rotation.rotatePoint(p, Rotation.centre(512, 384), 40)),
                Rotation.rotatePoint(g.toFeature(p), g.featureCentre(), 40), 1e-9);
    }

    private static void assertClose(Vec2 e, Vec2 a, double tol) {
        assertEquals(e.x(), a.x(), tol, "x of " + a);
        assertEquals(e.y(), a.y(), tol, "y of " + a);
    }
}
