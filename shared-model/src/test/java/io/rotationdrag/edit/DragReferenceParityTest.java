package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.Golden;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TextStates;
import io.rotationdrag.diffusion.io.SafeTensors;
import io.rotationdrag.drag.Conventions;
import io.rotationdrag.drag.DragOptimizer;
import io.rotationdrag.drag.TrackRecord;
import io.rotationdrag.drag.Vec2;
import io.rotationdrag.lora.LoraOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Step-by-step parity of the drag loops with the public reference code, through the public API only
 * ({@link DragEditor} with {@link TextStates#fixed} and a {@link DragStepListener}), under
 * {@link Conventions#REFERENCE}, against {@code golden/drag-reference-a} (its README: tiny-sd-a, 256 px, LoRA off,
 * 6 steps, lam 0.1, lr 0.01, points swapped to (y, x) feature cells of the 128x128 sup map). Both loops start from
 * the reference's own inverted latent, so every difference is the drag loop's.
 *
 * <p>Tolerances: about 5x what the engine reaches in float32 on the CPU with the conv guard (issue 22; before it the
 * gradient from step 1 on was 3e-2 off). Measured (max over the 6 steps of both methods): loss 3.8e-6, motion part
 * 4.8e-6, mask part 9.5e-7, gradient 2.2e-6 of max |grad|, latent after each Adam step 9.1e-7 (|z| ~ 4), plain
 * template 7.9e-6, rotated template (step 5: the rotated image re-inverted, 38 UNet forwards) 1.8e-4 (|F| ~ 17),
 * window distances 8.6e-6 of their max; every tracked handle and branch equal.
 */
class DragReferenceParityTest {

    private static final int STEPS = 6;
    /** |loss - ref| per step, also each of the motion and mask parts (losses are 3.5..6.3). */
    static final double LOSS_TOL = 2e-5;
    /** max |grad - ref| / max |ref| per step. */
    static final double GRAD_REL_TOL = 1e-5;
    /** max |z_after - ref| per step (|z| ~ 4). */
    static final double LATENT_TOL = 5e-6;
    /** max |template - ref|: F0 at the initial handle; a rotated source's feature (re-inverted image). */
    static final double TEMPLATE_TOL = 5e-5;
    static final double ROTATED_TEMPLATE_TOL = 1e-3;
    /** max |dist - ref| / max |ref dist| over the 7x7 window. */
    static final double DIST_REL_TOL = 5e-5;

    private static StableDiffusion sd;
    private static SafeTensors golden;
    private static JsonNode json;
    private static final Map<String, List<DragOptimizer.StepTrace>> TRACES = new java.util.HashMap<>();
    private static final Map<String, DragOutcome> OUTCOMES = new java.util.HashMap<>();

    @BeforeAll
    static void runBothLoops() throws Exception {
        Path dir = Golden.sharedDir().resolve("golden/drag-reference-a");
        golden = SafeTensors.open(dir.resolve("drag.safetensors"));
        json = new ObjectMapper().readTree(dir.resolve("drag.json").toFile());
        sd = StableDiffusion.load(Golden.tinySdA(), new EngineOptions("cpu", EngineOptions.Precision.FP32, 1));
        BufferedImage image = ImageIO.read(dir.resolve("input.png").toFile());
        BufferedImage mask = ImageIO.read(dir.resolve("mask.png").toFile());
        TextStates text = TextStates.fixed(golden.readFloats("input.text_emb"), new long[] {1, 77, 32});
        long[] shape = {1, 4, 32, 32};
        Inversion inv = new Inversion(shape, golden.readFloats("inversion.invert_code"),
                golden.readFloats("inversion.x0_latent"), 741, 50, 38, 256, 256, Map.of());
        try (DragEditor editor = new DragEditor(sd, text)) {
            for (TrackerKind kind : List.of(TrackerKind.DRAGDIFFUSION, TrackerKind.ROTATIONDRAG)) {
                List<PointPair> pts = new ArrayList<>(List.of(PointPair.of(184, 128, 176, 100)));
                if (kind == TrackerKind.ROTATIONDRAG) {
                    pts.add(PointPair.of(128, 128, 128, 128));
                }
                EditRequest r = new EditRequest(image, mask, pts, "a red bar on a plain background", options(kind));
                List<DragOptimizer.StepTrace> traces = new ArrayList<>();
                long t0 = System.nanoTime();
                DragOutcome out = editor.drag(r, null, inv, null, null, traces::add);
                System.out.printf(Locale.ROOT, "%s: %d steps in %d ms%n", kind.id(), traces.size(),
                        (System.nanoTime() - t0) / 1_000_000);
                TRACES.put(kind.id(), traces);
                OUTCOMES.put(kind.id(), out);
            }
        }
    }

    /** The README's settings: 6 steps, lr 0.01, lam 0.1, mask term always, LoRA off, reference conventions. */
    static EditOptions options(TrackerKind kind) {
        return EditOptions.defaults().withTracker(kind).withLora(LoraOptions.disabled())
                .withInversion(new InversionOptions(50, 0.75))
                .withDrag(DragOptions.defaults().withMaxSteps(STEPS).withLearningRate(0.01)
                        .withMaskTerm(MaskTerm.ALWAYS).withConventions(Conventions.REFERENCE));
    }

    @AfterAll
    static void close() throws Exception {
        if (golden != null) {
            golden.close();
        }
        if (sd != null) {
            sd.close();
        }
    }

    @Test
    void dragDiffusionMatchesEveryStep() throws Exception {
        checkMethod("dragdiffusion", "dragdiffusion");
    }

    @Test
    void rotationDragMatchesEveryStep() throws Exception {
        checkMethod("rotationdrag", "rotationdrag");
    }

    @Test
    void rotationDragTakesTheRotatedBranchAtStepFive() {
        List<DragOptimizer.StepTrace> t = TRACES.get("rotationdrag");
        JsonNode steps = json.get("rotationdrag").get("steps");
        for (int i = 1; i < STEPS; i++) {
            TrackRecord rec = t.get(i).tracking().get(0);
            JsonNode s = steps.get(i);
            String want = s.get("tracking_branch").asText();
            assertEquals(want.equals("rotated_template") ? TrackRecord.Branch.ROTATED : TrackRecord.Branch.PLAIN,
                    rec.branch(), "branch at step " + i);
            // the reference's angle is the negative of the product-sense angle (AngleSense)
            assertEquals(s.get("tracking_angle_deg").asDouble(), -rec.angleDegrees(), 1e-6, "angle at step " + i);
            if (rec.branch() == TrackRecord.Branch.ROTATED) {
                assertEquals(s.get("rotate_deg_arg").asDouble(), rec.appliedDegrees(), 1e-6);
                JsonNode p = s.get("p_i0_r_yx");
                assertEquals(p.get(0).asDouble(), rec.templatePoint().y(), 1e-4, "rotated initial handle y");
                assertEquals(p.get(1).asDouble(), rec.templatePoint().x(), 1e-4, "rotated initial handle x");
            }
        }
    }

    private void checkMethod(String id, String key) throws Exception {
        List<DragOptimizer.StepTrace> traces = TRACES.get(id);
        JsonNode steps = json.get(key).get("steps");
        assertEquals(STEPS, traces.size(), id + ": steps run");
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%s vs reference%nstep  |dloss|    |dmotion|  |dmask|    grad rel   |dz_after|  template   dist rel  handle%n",
                id));
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            DragOptimizer.StepTrace t = traces.get(i);
            JsonNode s = steps.get(i);
            String p = key + ".step" + i + ".";
            double dLoss = Math.abs(t.loss() - s.get("loss").asDouble());
            double dMotion = Math.abs(t.motionLoss() - s.get("loss_motion").asDouble());
            double dMask = Math.abs(t.maskLoss() - s.get("loss_mask").asDouble());
            float[] refGrad = golden.readFloats(p + "grad");
            double gradRel = maxAbsDiff(t.gradient(), refGrad) / maxAbs(refGrad);
            double dz = maxAbsDiff(t.latentAfter(), golden.readFloats(p + "latent_after"));
            Vec2 h = t.handles().get(0);
            JsonNode hr = s.get("handle_yx_used_for_loss");
            boolean handleOk = h.y() == hr.get(0).asDouble() && h.x() == hr.get(1).asDouble();
            double dTemplate = Double.NaN;
            double distRel = Double.NaN;
            if (i > 0) {
                TrackRecord rec = t.tracking().get(0);
                dTemplate = maxAbsDiff(rec.template(), golden.readFloats(p + "track.template"));
                float[] refDist = golden.readFloats(p + "track.dist");
                distRel = maxAbsDiff(rec.distances(), refDist) / maxAbs(refDist);
                if (rec.windowWidth() != 7 || rec.windowHeight() != 7) {
                    failures.add("step " + i + ": window " + rec.windowWidth() + "x" + rec.windowHeight());
                }
                double tol = rec.branch() == TrackRecord.Branch.ROTATED ? ROTATED_TEMPLATE_TOL : TEMPLATE_TOL;
                check(failures, dTemplate <= tol, "step " + i + " template " + dTemplate);
                check(failures, distRel <= DIST_REL_TOL, "step " + i + " distances " + distRel);
            }
            table.append(String.format(Locale.ROOT, "%4d  %.2e   %.2e   %.2e   %.2e   %.2e   %.2e   %.2e  %s%n", i,
                    dLoss, dMotion, dMask, gradRel, dz, dTemplate, distRel, handleOk ? "=" : h + " vs " + hr));
            check(failures, dLoss <= LOSS_TOL, "step " + i + " loss " + dLoss);
            check(failures, dMotion <= LOSS_TOL && dMask <= LOSS_TOL, "step " + i + " loss parts " + dMotion + ", "
                    + dMask);
            check(failures, gradRel <= GRAD_REL_TOL, "step " + i + " gradient " + gradRel);
            check(failures, dz <= LATENT_TOL, "step " + i + " latent " + dz);
            check(failures, handleOk, "step " + i + " handle " + h + " vs (y,x) " + hr);
        }
        double dFinal = maxAbsDiff(OUTCOMES.get(id).latent(), golden.readFloats(key + ".final_latent"));
        table.append(String.format(Locale.ROOT, "final latent max |diff| %.2e%n", dFinal));
        check(failures, dFinal <= LATENT_TOL, "final latent " + dFinal);
        System.out.print(table);
        assertTrue(failures.isEmpty(), id + ": " + failures + "\n" + table);
    }

    private static void check(List<String> failures, boolean ok, String what) {
        if (!ok) {
            failures.add(what);
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(b.length, a.length, "lengths");
        double m = 0;
        for (int k = 0; k < a.length; k++) {
            m = Math.max(m, Math.abs(a[k] - b[k]));
        }
        return m;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
