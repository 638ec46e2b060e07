package io.rotationdrag.eval;

import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TinyModelFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** EditEvaluator on a tiny random model in the real layout: facts that hold for any weights. */
class EditEvaluatorTest {
    @TempDir
    static Path dir;
    static StableDiffusion model;

    @BeforeAll
    static void load() throws Exception {
        model = StableDiffusion.load(TinyModelFactory.write(dir.resolve("tiny"), TinyModelFactory.Spec.small(), 7));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    static EditEvaluator evaluator(int ensemble) {
        return new EditEvaluator(model, new EvalSettings(new DiftSettings(261, 1, ensemble, 3), null, null));
    }

    @Test
    void unchangedImageLeavesContentAtTheHandle() {
        // result == input: each handle's content is found at the handle itself (cosine 1 at that pixel), so
        // MD = the mean drag length: |(20,0)| = 20 and |(0,-12)| = 12 -> 16; the axis pair drifts 0.
        BufferedImage img = TestImages.texture(64, 64, 5);
        List<HandleTarget> pts = List.of(new HandleTarget(20, 24, 40, 24), new HandleTarget(33, 41, 33, 29),
                new HandleTarget(30, 30, 30, 30));
        boolean[] m = new boolean[64 * 64];
        for (int y = 10; y < 50; y++) {
            for (int x = 10; x < 50; x++) {
                m[y * 64 + x] = true;
            }
        }
        EvalInput in = new EvalInput(img, PixelMask.of(64, 64, m), TestImages.copy(img), pts, "a red cube", null,
                null, "no drag outcome in this test", Map.of("DRAG", 1250L, "LORA", 750L));
        try (EditEvaluator ev = evaluator(2)) {
            EvalReport r = ev.evaluate(in);
            assertEquals(16.0, r.metric(MeanDistance.MD).require(), 1e-12);
            assertEquals(0.0, r.metric(MeanDistance.MD_AXIS).require());
            for (int i = 0; i < 3; i++) {
                assertEquals((int) pts.get(i).hx(), r.matches().get(i).matchX());
                assertEquals((int) pts.get(i).hy(), r.matches().get(i).matchY());
            }
            assertEquals(Double.POSITIVE_INFINITY, r.metric(MaskedFidelity.PSNR_OUTSIDE).require());
            assertEquals(1.0, r.metric(MaskedFidelity.SSIM_OUTSIDE).require(), 1e-12);
            // absent inputs are reported with their reason, never a number
            assertEquals(EditEvaluator.IF_NOT_CONFIGURED, r.metric(Lpips.METRIC_IF).unavailableReason());
            assertFalse(r.metric(MeanDistance.HANDLE_CONTENT_VS_GT).available());
            assertEquals("no drag outcome in this test", r.metric("tracking_final_error").unavailableReason());
            // the unchanged content shows no turn: recovered 0, accepted, scored error = the requested turn
            assertEquals(0.0, r.metric(RotationAngleMetric.ANGLE_RECOVERED).require());
            assertEquals(1.0, r.metric(RotationAngleMetric.IS_TURN).require());
            assertEquals(Math.abs(r.metric(RotationAngleMetric.ANGLE_REQUESTED).require()),
                    r.metric(RotationAngleMetric.ANGLE_ERROR).require(), 1e-12);
            assertEquals(1.0, r.metric(RotationAngleMetric.MATCH_CORRELATION).require(), 1e-9);
            assertFalse(r.metric(RotationAngleMetric.ANGLE_ERROR_GT_FLOOR).available());
            assertEquals(1.25, r.metric("wall_s_drag").require());
            assertEquals(2.0, r.metric("wall_s_total").require());
            // JSON round trip keeps values, infinities and reasons
            EvalReport back = EvalReport.fromJson(r.toJson());
            assertEquals(r.metrics(), back.metrics());
            assertEquals(r.matches(), back.matches());
            assertTrue(r.toJson().contains("\"Infinity\""));
        }
    }

    @Test
    void groundTruthEqualToTheResultGivesZeroContentDistance() {
        BufferedImage img = TestImages.texture(64, 48, 9);
        BufferedImage res = TestImages.texture(64, 48, 10);
        List<HandleTarget> pts = List.of(new HandleTarget(20, 20, 30, 22));
        TrackingQuality tq = new TrackingQuality(pts, List.of(new double[]{27, 26}), 5, 40, 5, Map.of("DRAG", 2000L));
        EvalInput in = new EvalInput(img, null, res, pts, "", TestImages.copy(res), tq, null, Map.of("DRAG", 9L));
        try (EditEvaluator ev = evaluator(1)) {
            EvalReport r = ev.evaluate(in);
            // the ground truth is the result: its matches are the result's, content distance 0, floor = MD
            assertEquals(0.0, r.metric(MeanDistance.HANDLE_CONTENT_VS_GT).require());
            assertEquals(r.metric(MeanDistance.MD).require(), r.metric(MeanDistance.MD_GT_FLOOR).require());
            assertEquals(Double.POSITIVE_INFINITY, r.metric(MaskedFidelity.PSNR_INSIDE_GT).require());
            assertFalse(r.metric(MaskedFidelity.PSNR_OUTSIDE).available()); // no mask: no outside region
            assertEquals(5.0, r.metric("tracking_final_error").require(), 1e-12); // |(27,26)-(30,22)| = 5
            assertEquals(2.0, r.metric("wall_s_drag").require()); // the outcome's own times win
            // no mask, no axis: the image centre (31.5, 23.5) is the axis; the requested turn is the on-screen
            // counter-clockwise angle from (20,20) to (30,22) about it (y down: polar angle atan2(-dy, dx))
            double want = Math.toDegrees(Math.atan2(23.5 - 22, 30 - 31.5) - Math.atan2(23.5 - 20, 20 - 31.5));
            assertEquals(want, r.metric(RotationAngleMetric.ANGLE_REQUESTED).require(), 1e-9);
            // the truth is the result: the floor is the edit's own score
            assertEquals(r.metric(RotationAngleMetric.ANGLE_ERROR).require(),
                    r.metric(RotationAngleMetric.ANGLE_ERROR_GT_FLOOR).require());
            assertEquals(r.metric(RotationAngleMetric.MATCH_CORRELATION).require(),
                    r.metric(RotationAngleMetric.MATCH_CORRELATION_GT_FLOOR).require());
        }
    }

    @Test
    void imageFidelityIsOneMinusLpipsWhenWeightsAreGiven() throws Exception {
        Path w = LpipsTest.write(dir, "lpips.safetensors", 1f, false, false);
        BufferedImage a = TestImages.texture(64, 64, 11);
        BufferedImage b = TestImages.texture(64, 64, 12);
        List<HandleTarget> pts = List.of(new HandleTarget(20, 20, 30, 20));
        double expected;
        try (Lpips l = Lpips.load(w)) {
            expected = l.distance(a, b);
        }
        assertTrue(expected > 0);
        try (EditEvaluator ev = new EditEvaluator(model, new EvalSettings(new DiftSettings(261, 1, 1, 0), null, w))) {
            assertTrue(ev.hasLpips());
            EvalReport same = ev.evaluate(new EvalInput(a, null, TestImages.copy(a), pts, "", null, null, "n/a", null));
            assertEquals(0.0, same.metric(Lpips.METRIC_LPIPS).require(), 1e-6);
            assertEquals(1.0, same.metric(Lpips.METRIC_IF).require(), 1e-6);
            EvalReport diff = ev.evaluate(new EvalInput(a, null, b, pts, "", null, null, "n/a", null));
            assertEquals(1 - expected, diff.metric(Lpips.METRIC_IF).require(), 1e-9);
        }
        // a configured but missing file is a configuration error, not a silently absent metric
        assertThrows(java.io.UncheckedIOException.class, () -> new EditEvaluator(model,
                new EvalSettings(null, null, dir.resolve("missing.safetensors"))));
    }

    @Test
    void featureGridStandsForTheOriginalSizeAndIsDeterministic() {
        // 60x44 is not a multiple of the tiny model's 64: resized for the UNet, matched in original pixels
        DiftFeatures f = new DiftFeatures(model, new DiftSettings(261, 1, 2, 1));
        BufferedImage img = TestImages.texture(60, 44, 2);
        FeatureMap a = f.extract(img, "x");
        assertEquals(44, a.imageHeight());
        assertEquals(60, a.imageWidth());
        assertArrayEquals(a.data(), f.extract(img, "x").data());
        assertThrows(IllegalArgumentException.class, () -> new DiftFeatures(model, new DiftSettings(261, 9, 1, 0)));
        assertThrows(IllegalArgumentException.class, () -> new DiftFeatures(model, new DiftSettings(5000, 1, 1, 0)));
    }
}
