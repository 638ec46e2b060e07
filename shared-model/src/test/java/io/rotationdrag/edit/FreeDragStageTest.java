package io.rotationdrag.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.drag.DragOptimizer;
import io.rotationdrag.drag.FeatureGrid;
import io.rotationdrag.drag.FreeDragConfig;
import io.rotationdrag.drag.FreeDragLineSearch;
import io.rotationdrag.drag.FreeDragOptimizer;
import io.rotationdrag.drag.UNetEvaluations;
import io.rotationdrag.drag.UNetFeatures;
import io.rotationdrag.drag.Vec2;
import io.rotationdrag.lora.LoraOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FreeDrag as published, end to end on the tiny model: the drag stage and the optimiser's own rounds. */
class FreeDragStageTest {

    @TempDir
    static Path dir;
    static StableDiffusion sd;
    static final InversionOptions INV = new InversionOptions(10, 0.3);

    @BeforeAll
    static void load() throws Exception {
        sd = TinyEditFixture.model(dir);
    }

    @AfterAll
    static void close() {
        sd.close();
    }

    private static EditOptions options(int steps) {
        return EditOptions.defaults().withTracker(TrackerKind.FREEDRAG).withWorkingSize(64)
                .withLora(LoraOptions.disabled()).withInversion(INV)
                .withDrag(DragOptions.defaults().withMaxSteps(steps).withLearningRate(0.05));
    }

    /** The drag stage picks FreeDrag for "freedrag": counts, progress events, and a trajectory along the line. */
    @Test
    void dragStageRunsFreeDrag() {
        EditRequest r = new EditRequest(TinyEditFixture.scene(), TinyEditFixture.leftHalfMask(64, 64),
                List.of(PointPair.of(12, 14, 24, 40)), "a red bar", options(12));
        PreparedEdit e = EditValidator.prepare(r, new ModelGeometry(64, 64));
        List<ProgressEvent> events = new ArrayList<>();
        UNetEvaluations counter = new UNetEvaluations();
        DragOutcome o;
        try (NDManager m = sd.manager().newSubManager()) {
            NDArray text = sd.encodePrompt(m, r.prompt());
            NDArray z = TinyEditFixture.invert(sd, e.work(), text, INV, m);
            int t = TinyEditFixture.dragTimestep(sd, INV);
            // freedrag needs neither an inverter nor an encoder: it has no rotated templates
            o = new DragStage(sd).run(e, z.toFloatArray(), null, z.getShape().getShape(), t, text, null, null, counter,
                    events::add, Cancellation.NONE, null);
        }
        int rounds = o.trackerStats().trackingCalls();
        System.out.println("freedrag stage: " + o.steps() + " updates, " + rounds + " rounds, " + o.stopReason()
                + ", forwards " + o.unetForwards() + ", backwards " + o.unetBackwards() + ", losses " + o.losses());
        assertEquals("freedrag", o.tracker());
        assertTrue(o.steps() >= 1 && o.steps() <= 12);
        assertEquals(o.steps(), o.unetBackwards());
        assertEquals(0, o.templateForwards());
        // F0 + one per update + one check per round, except a round cut short by the step budget
        int unchecked = "MAX_STEPS".equals(o.stopReason()) ? 1 : 0;
        assertEquals(1 + o.steps() + rounds - unchecked, o.unetForwards());
        assertEquals(counter.forwardCount(), o.unetForwards());
        assertEquals(o.steps(), events.size());
        for (int i = 0; i < events.size(); i++) {
            ProgressEvent ev = events.get(i);
            assertEquals(ProgressEvent.DRAG, ev.stage());
            assertEquals(i + 1, ev.step());
            assertNotNull(ev.loss());
            assertNull(ev.preview());
            assertEquals(1, ev.handles().size());
        }
        // index 0 = the initial handle, then one virtual handle per update; all on the line between the handle's and
        // the target's feature cells (in input pixels too: the feature -> pixel map is affine)
        assertEquals(o.steps() + 1, o.trajectory().size());
        double[] h = o.trajectory().get(0).get(0);
        // the target pixel (24, 40) lies in feature cell (12, 20), whose centre is input pixel (24.5, 40.5)
        double[] tgt = {24.5, 40.5};
        double ux = tgt[0] - h[0];
        double uy = tgt[1] - h[1];
        double len = Math.hypot(ux, uy);
        for (List<double[]> step : o.trajectory()) {
            double[] q = step.get(0);
            double cross = (ux * (q[1] - h[1]) - uy * (q[0] - h[0])) / len;
            assertEquals(0, cross, 1e-6, "virtual handle off the line: " + q[0] + "," + q[1]);
        }
    }

    /**
     * The optimiser's rounds: a forward move shortens the distance to the target, a hold keeps it, only a backtrack
     * may lengthen it; UNet calls are counted per update and per check.
     */
    @Test
    void virtualHandleMovesTowardsTheTarget() {
        BufferedImage img = TinyEditFixture.scene();
        FeatureGrid grid = FeatureGrid.scaled(64, 64, 0.5);
        List<Vec2> handles = List.of(grid.toFeatureCell(Vec2.of(54, 32)));
        List<Vec2> targets = List.of(grid.toFeatureCell(Vec2.of(30, 10)));
        UNetEvaluations counter = new UNetEvaluations();
        FreeDragOptimizer.Result res;
        List<DragOptimizer.Step> steps = new ArrayList<>();
        try (NDManager m = sd.manager().newSubManager()) {
            NDArray text = sd.encodePrompt(m, "a red bar");
            NDArray z = TinyEditFixture.invert(sd, img, text, INV, m);
            int t = TinyEditFixture.dragTimestep(sd, INV);
            UNetFeatures features = new UNetFeatures(sd.unet(), UNetFeatures.DEFAULT_UP_BLOCK, grid, counter);
            DragOptimizer.Problem p = new DragOptimizer.Problem(z, text, t, INV.numInferenceSteps(), handles, targets,
                    null, null);
            FreeDragOptimizer.Settings s = new FreeDragOptimizer.Settings(FreeDragConfig.published(), 0.05, 20, 0);
            res = new FreeDragOptimizer(features, sd.scheduler()).run(p, s, new DragOptimizer.Observer() {
                @Override
                public void onStep(DragOptimizer.Step st) {
                    steps.add(st);
                }
            });
        }
        DragOptimizer.Result r = res.drag();
        int checks = 0;
        Vec2 target = targets.get(0);
        Vec2 before = handles.get(0);
        boolean backtracked = false;
        for (FreeDragOptimizer.Round round : res.rounds()) {
            FreeDragLineSearch.Decision d = round.decisions().get(0);
            System.out.printf("round at step %d: %s -> %s (dist to target %.2f -> %.2f), l_ini %.4f, l_end %.4f,"
                            + " lambda %.4f, %d updates%n", round.firstStep(), d.move(), d.point(),
                    before.distance(target), d.point().distance(target), round.lossInit()[0], round.lossEnd()[0],
                    round.templateWeights()[0], round.updates());
            switch (d.move()) {
                case FORWARD -> assertTrue(d.point().distance(target) < before.distance(target),
                        "a forward move approaches the target");
                case HOLD -> assertEquals(before, d.point());
                case BACKTRACK -> backtracked = true;
                default -> throw new AssertionError(d.move());
            }
            if (!Double.isNaN(round.lossEnd()[0])) {
                checks++;
            }
            before = d.point();
        }
        assertEquals(FreeDragLineSearch.Move.FORWARD, res.rounds().get(0).decisions().get(0).move(),
                "the first localisation moves forward");
        assertEquals(r.steps(), counter.backwardCount());
        assertEquals(1 + r.steps() + checks, counter.forwardCount());
        assertEquals(r.steps(), steps.size());
        assertEquals(r.steps(), r.losses().size());
        double start = handles.get(0).distance(target);
        double end = r.finalHandles().get(0).distance(target);
        assertTrue(end < start, "the virtual handle ends nearer the target: " + start + " -> " + end);
        if (!backtracked) {
            // without a backtrack the distance never grows
            double prev = Double.POSITIVE_INFINITY;
            for (List<Vec2> hs : r.trajectory()) {
                double dist = hs.get(0).distance(target);
                assertTrue(dist <= prev + 1e-9, "distance grew without a backtrack");
                prev = dist;
            }
        }
    }
}
