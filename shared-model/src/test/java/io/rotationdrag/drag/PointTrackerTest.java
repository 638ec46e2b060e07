package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Trackers on constructed feature maps. The "scene" is an image I on the feature grid; its features are
 * intensity and its first and second derivatives, which, like UNet features, are NOT
 * rotation-invariant: an asymmetric blob rotated by 40 degrees has different derivative channels at its centre.
 */
class PointTrackerTest {

    private static final int W = 64;
    private static final int H = 56;
    private static final Vec2 CENTRE = Rotation.centre(W, H);
    private static final Vec2 P0 = Vec2.of(43, 19);

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(5);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Smooth background plus a horizontal elongated blob at p (and optional extra blobs). */
    private static float[] scene(Vec2... blobs) {
        float[] img = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double v = 0.3 * Math.sin(x / 9.0 + 1) * Math.cos(y / 11.0);
                for (Vec2 b : blobs) {
                    // an asymmetric "comma": a horizontal ellipse and a weaker round blob 8 cells to its right
                    double dx = x - b.x();
                    double dy = y - b.y();
                    v += Math.exp(-(dx * dx / (2 * 5.0 * 5.0) + dy * dy / (2 * 3.0 * 3.0)));
                    v += 0.6 * Math.exp(-((dx - 8) * (dx - 8) + dy * dy) / (2 * 3.0 * 3.0));
                }
                img[y * W + x] = (float) v;
            }
        }
        return img;
    }

    private NDArray rotatedImage(float[] img, double degrees) {
        NDArray a = manager.create(img, new Shape(1, H, W));
        return Rotation.rotate(a, degrees, Rotation.Interpolation.BILINEAR, 0f);
    }

    /**
     * [I, 8 Ix, 8 Iy, 32 Ixx, 32 Iyy, 32 Ixy] of an image [1, H, W], derivatives by central differences over 2 cells
     * (smooth, like UNet features upsampled from the latent grid); edges replicated.
     */
    private NDArray features(NDArray image) {
        float[] i = image.toFloatArray();
        float[] f = new float[6 * W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int k = y * W + x;
                float c = px(i, x, y);
                f[k] = c;
                f[W * H + k] = 8 * (px(i, x + 2, y) - px(i, x - 2, y)) / 4;
                f[2 * W * H + k] = 8 * (px(i, x, y + 2) - px(i, x, y - 2)) / 4;
                f[3 * W * H + k] = 32 * (px(i, x + 2, y) - 2 * c + px(i, x - 2, y)) / 4;
                f[4 * W * H + k] = 32 * (px(i, x, y + 2) - 2 * c + px(i, x, y - 2)) / 4;
                f[5 * W * H + k] = 32 * (px(i, x + 2, y + 2) + px(i, x - 2, y - 2) - px(i, x - 2, y + 2)
                        - px(i, x + 2, y - 2)) / 16;
            }
        }
        return manager.create(f, new Shape(6, H, W));
    }

    private static float px(float[] img, int x, int y) {
        return img[Math.max(0, Math.min(H - 1, y)) * W + Math.max(0, Math.min(W - 1, x))];
    }

    /** Source features for any angle: features of the rotated source image; records the angles asked for. */
    private RotatedFeatureSource source(float[] img, List<Double> asked) {
        return degrees -> {
            asked.add(degrees);
            return features(rotatedImage(img, degrees));
        };
    }

    private static RotatedFeatureSource forbidden() {
        return degrees -> {
            throw new AssertionError("no rotated features expected, asked for " + degrees);
        };
    }

    private static double l1(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += Math.abs(a[k] - b[k]);
        }
        return s;
    }


    @Test
    void everyTrackerFindsAUniqueVectorMovedByAKnownTranslation() {
        float[] img = scene(P0);
        NDArray f0 = features(manager.create(img, new Shape(1, H, W)));
        Vec2 shift = Vec2.of(-2, 1);
        NDArray f1 = features(manager.create(scene(P0.plus(shift)), new Shape(1, H, W)));
        // an axis 30 cells below the handle: a (-2, 1) move turns it by under 5 degrees, so no rotated template
        List<Vec2> axes = List.of(P0.plus(Vec2.of(0, 28)));
        for (String id : PointTrackers.IDS) {
            PointTracker t = PointTrackers.create(id, new TrackingSetup(f0, List.of(P0), axes), TrackerConfig.defaults(),
                    forbidden());
            assertEquals(id, t.id());
            List<Vec2> moved = t.track(f1, List.of(P0));
            assertEquals(P0.plus(shift), moved.get(0), id);
            // and from a start one cell off the truth
            assertEquals(P0.plus(shift), t.track(f1, List.of(P0.plus(Vec2.of(-1, 0)))).get(0), id);
            assertEquals(0, t.stats().featureComputations(), id);
        }
    }

    @Test
    void rotationTrackersFollowAUniqueVectorMovedByAKnownRotation() {
        float[] img = scene(P0);
        NDArray f0 = features(manager.create(img, new Shape(1, H, W)));
        double angle = 40;
        NDArray f1 = features(rotatedImage(img, angle));
        Vec2 truth = Rotation.rotatePoint(P0, CENTRE, angle);
        Vec2 start = truth.rounded().plus(Vec2.of(1, -1));
        for (String id : List.of(PointTrackers.ROTATIONDRAG, PointTrackers.ROTATIONDRAG_CACHED)) {
            List<Double> asked = new ArrayList<>();
            PointTracker t = PointTrackers.create(id, new TrackingSetup(f0, List.of(P0), List.of(CENTRE)),
                    TrackerConfig.defaults(), source(img, asked));
            Vec2 found = t.track(f1, List.of(start)).get(0);
            assertTrue(found.distance(truth) <= 1.0, id + " found " + found + ", truth " + truth);
            assertEquals(1, asked.size(), id);
            // the source was asked for (about) the handle's own rotation, counter-clockwise positive
            assertEquals(RotationAxis.signedAngle(CENTRE, P0, start), asked.get(0), 1.6, id);
            assertEquals(1, t.stats().rotatedTemplateUses(), id);
        }
    }

    @Test
    void rotatedTemplateBeatsThePlainTemplateOnARotatedPattern() {
        float[] img = scene(P0);
        NDArray f0 = features(manager.create(img, new Shape(1, H, W)));
        float[] plainTemplate = FeatureMap.vector(f0, P0);
        double plainError = 0;
        double rotatedError = 0;
        int cases = 0;
        for (double angle : new double[] {60, 90, 120, -90}) {
            NDArray f1 = features(rotatedImage(img, angle));
            Vec2 truth = Rotation.rotatePoint(P0, CENTRE, angle);
            // template quality at the true position
            float[] atTruth = FeatureMap.vector(f1, truth);
            float[] rotatedTemplate = FeatureMap.vector(features(rotatedImage(img, angle)), truth);
            double plainDist = l1(plainTemplate, atTruth);
            double rotatedDist = l1(rotatedTemplate, atTruth);
            assertTrue(rotatedDist < 0.3 * plainDist, angle + ": rotated " + rotatedDist + " vs plain " + plainDist);
            // localisation from a few starts near the truth
            for (Vec2 off : List.of(Vec2.of(1, -1), Vec2.of(-2, 1), Vec2.of(0, 0))) {
                Vec2 start = truth.rounded().plus(off);
                PointTracker plain = PointTrackers.create(PointTrackers.DRAGDIFFUSION,
                        new TrackingSetup(f0, List.of(P0), null), TrackerConfig.defaults(), null);
                PointTracker rot = PointTrackers.create(PointTrackers.ROTATIONDRAG,
                        new TrackingSetup(f0, List.of(P0), List.of(CENTRE)), TrackerConfig.defaults(),
                        source(img, new ArrayList<>()));
                double pe = plain.track(f1, List.of(start)).get(0).distance(truth);
                double re = rot.track(f1, List.of(start)).get(0).distance(truth);
                assertTrue(re <= 1.0, "rotationdrag off by " + re + " at " + angle + " from " + start);
                plainError += pe;
                rotatedError += re;
                cases++;
            }
        }
        plainError /= cases;
        rotatedError /= cases;
        assertTrue(rotatedError < 0.5 && plainError > 1.5,
                "mean localisation error: rotationdrag " + rotatedError + ", dragdiffusion " + plainError);
    }

    @Test
    void referenceSignRotatesTheSourceTheWrongWay() {
        float[] img = scene(P0);
        NDArray f0 = features(manager.create(img, new Shape(1, H, W)));
        double angle = 60;
        NDArray f1 = features(rotatedImage(img, angle));
        Vec2 truth = Rotation.rotatePoint(P0, CENTRE, angle);
        Vec2 start = truth.rounded();
        List<Double> productAsked = new ArrayList<>();
        List<Double> referenceAsked = new ArrayList<>();
        PointTracker product = PointTrackers.create(PointTrackers.ROTATIONDRAG,
                new TrackingSetup(f0, List.of(P0), List.of(CENTRE)), TrackerConfig.defaults(),
                source(img, productAsked));
        PointTracker reference = PointTrackers.create(PointTrackers.ROTATIONDRAG,
                new TrackingSetup(f0, List.of(P0), List.of(CENTRE)),
                TrackerConfig.defaults().withAngleSense(AngleSense.REFERENCE), source(img, referenceAsked));
        Vec2 productFound = product.track(f1, List.of(start)).get(0);
        Vec2 referenceFound = reference.track(f1, List.of(start)).get(0);
        assertEquals(-productAsked.get(0), referenceAsked.get(0), 1e-9);
        assertTrue(productAsked.get(0) > 50, "product rotates the way the handle turned: " + productAsked);
        float[] atTruth = FeatureMap.vector(f1, truth);
        double productDist = l1(FeatureMap.vector(features(rotatedImage(img, productAsked.get(0))),
                Rotation.rotatePoint(P0, CENTRE, productAsked.get(0))), atTruth);
        double referenceDist = l1(FeatureMap.vector(features(rotatedImage(img, referenceAsked.get(0))),
                Rotation.rotatePoint(P0, CENTRE, referenceAsked.get(0))), atTruth);
        assertTrue(referenceDist > 3 * productDist, "reference " + referenceDist + " vs product " + productDist);
        assertTrue(productFound.distance(truth) <= referenceFound.distance(truth));
    }

    @Test
    void paperModeReinvertsEveryStepWhileCachedModeOncePerBin() {
        float[] img = scene(P0, Vec2.of(18, 36));
        NDArray f0 = features(manager.create(img, new Shape(1, H, W)));
        List<Vec2> handles = List.of(P0, Vec2.of(18, 36));
        List<Vec2> axes = List.of(CENTRE, CENTRE);
        // both handles turned by about 20 degrees
        List<Vec2> turned = List.of(Rotation.rotatePoint(P0, CENTRE, 20).rounded(),
                Rotation.rotatePoint(Vec2.of(18, 36), CENTRE, 20).rounded());
        NDArray f1 = features(rotatedImage(img, 20));

        List<Double> paperAsked = new ArrayList<>();
        PointTracker paper = PointTrackers.create(PointTrackers.ROTATIONDRAG, new TrackingSetup(f0, handles, axes),
                TrackerConfig.defaults(), source(img, paperAsked));
        List<Double> cachedAsked = new ArrayList<>();
        TrackerConfig bins10 = TrackerConfig.defaults().withAngleBinDegrees(10);
        PointTracker cached = PointTrackers.create(PointTrackers.ROTATIONDRAG_CACHED,
                new TrackingSetup(f0, handles, axes), bins10, source(img, cachedAsked));
        for (int step = 0; step < 3; step++) {
            assertEquals(paper.track(f1, turned), cached.track(f1, turned), "agreement at step " + step);
        }
        assertEquals(6, paper.stats().featureComputations()); // 3 steps x 2 handles
        assertEquals(6, paperAsked.size());
        // both handles' angles (about 20 +- 2 degrees) fall into the 20-degree bin (width 10): one computation
        // serves both handles and all steps, at the bin centre angle
        assertEquals(1, cached.stats().featureComputations());
        assertEquals(List.of(20.0), cachedAsked);
        // a new bin costs one more computation
        List<Vec2> further = List.of(Rotation.rotatePoint(P0, CENTRE, 40).rounded(), turned.get(1));
        cached.track(features(rotatedImage(img, 40)), further);
        assertEquals(2, cached.stats().featureComputations());
        // below the threshold nothing is computed
        PointTracker quiet = PointTrackers.create(PointTrackers.ROTATIONDRAG, new TrackingSetup(f0, handles, axes),
                TrackerConfig.defaults(), forbidden());
        quiet.track(f0, handles);
        assertEquals(0, quiet.stats().featureComputations());
        assertEquals(2, quiet.stats().plainTemplateUses());
    }

    @Test
    void rotatedPointOutsideTheMapFallsBackToThePlainTemplate() {
        // handle near the top-left corner, axis 8 cells to its right; the handle turned 90 degrees counter-clockwise
        // about that axis. Rotating the initial handle 90 degrees about the MAP centre leaves the map.
        Vec2 handle = Vec2.of(2, 2);
        Vec2 axis = Vec2.of(10, 2);
        Vec2 current = Vec2.of(10, 10);
        assertEquals(90, RotationAxis.signedAngle(axis, handle, current), 1e-9);
        assertTrue(!Rotation.rotatePoint(handle, CENTRE, 90).inside(W, H));
        float[] img = scene(handle);
        NDArray f0 = features(manager.create(img, new Shape(1, H, W)));
        PointTracker t = PointTrackers.create(PointTrackers.ROTATIONDRAG,
                new TrackingSetup(f0, List.of(handle), List.of(axis)), TrackerConfig.defaults(),
                source(img, new ArrayList<>()));
        Vec2 found = t.track(f0, List.of(current)).get(0);
        assertTrue(found.inside(W, H));
        assertEquals(1, t.stats().outOfMapFallbacks());
        assertEquals(1, t.stats().featureComputations());
        assertEquals(0, t.stats().rotatedTemplateUses());
    }

    @Test
    void blendedTemplateBlendsOnlyOnReliableMatches() {
        NDArray f0 = manager.randomUniform(0.5f, 1.5f, new Shape(6, 12, 12));
        Vec2 p = Vec2.of(5, 6);
        TrackerConfig cfg = TrackerConfig.defaults();
        BlendedTemplateTracker reliable = (BlendedTemplateTracker) PointTrackers.create(
                PointTrackers.DRAGDIFFUSION_BLEND, new TrackingSetup(f0, List.of(p), null), cfg, null);
        float[] t0 = FeatureMap.vector(f0, p);
        // same content, 10 % dimmer: matched where it was, relative error 0.1
        NDArray f1 = f0.mul(0.9f);
        assertEquals(p, reliable.track(f1, List.of(p)).get(0));
        double mean = 0;
        for (float v : t0) {
            mean += Math.abs(v);
        }
        mean /= t0.length;
        double e = l1(t0, FeatureMap.vector(f1, p)) / t0.length / mean;
        assertEquals(0.1, e, 1e-5);
        double lambda = cfg.blendMaxLambda() / (1 + Math.exp(cfg.blendAlpha() * (e - cfg.blendBeta())));
        float[] expected = new float[t0.length];
        for (int c = 0; c < t0.length; c++) {
            expected[c] = (float) ((1 - lambda) * t0[c] + lambda * 0.9 * t0[c]);
        }
        assertArrayEquals(expected, reliable.template(0), 1e-5f);
        assertTrue(lambda > 0.9 * cfg.blendMaxLambda(), "a reliable match blends almost by the maximum: " + lambda);

        // unrelated content: the template barely changes
        BlendedTemplateTracker unreliable = (BlendedTemplateTracker) PointTrackers.create(
                PointTrackers.DRAGDIFFUSION_BLEND, new TrackingSetup(f0, List.of(p), null), cfg, null);
        NDArray other = manager.randomUniform(3f, 5f, new Shape(6, 12, 12));
        unreliable.track(other, List.of(p));
        assertTrue(l1(unreliable.template(0), t0) < 0.01 * l1(new float[t0.length], t0),
                "template moved by " + l1(unreliable.template(0), t0));
    }

    @Test
    void badInputIsRejected() {
        NDArray f0 = manager.zeros(new Shape(3, 8, 8));
        TrackingSetup noAxes = new TrackingSetup(f0, List.of(Vec2.of(1, 1)), null);
        assertThrows(IllegalArgumentException.class,
                () -> PointTrackers.create("nope", noAxes, TrackerConfig.defaults(), null));
        assertThrows(IllegalArgumentException.class,
                () -> PointTrackers.create(PointTrackers.ROTATIONDRAG, noAxes, TrackerConfig.defaults(), forbidden()));
        TrackingSetup withAxes = new TrackingSetup(f0, List.of(Vec2.of(1, 1)), List.of(Vec2.of(4, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> PointTrackers.create(PointTrackers.ROTATIONDRAG_CACHED, withAxes, TrackerConfig.defaults(), null));
        PointTracker t = PointTrackers.create(PointTrackers.DRAGDIFFUSION, noAxes, TrackerConfig.defaults(), null);
        assertThrows(IllegalArgumentException.class, () -> t.track(manager.zeros(new Shape(3, 9, 8)),
                List.of(Vec2.of(1, 1))));
        assertThrows(IllegalArgumentException.class, () -> t.track(f0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new TrackerConfig(3, 5, 0, AngleSense.PRODUCT, 0.5, 10, 0.5));
    }
}
