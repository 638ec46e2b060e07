package io.rotationdrag.drag;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drag optimisation of DragDiffusion/RotationDrag (method.md stage 3) on the inverted latent z at timestep t.
 *
 * <pre>
 *   F0 = UNet(z_init, t) (1 forward, no gradient); x_prev_0 = DDIM step(z_init, eps, t) of the first step
 *   for k = 0 .. maxSteps-1:
 *       F, eps = UNet(z, t)                                                       (1 forward)
 *       if k > 0: p = tracker.track(F, p)          windowed L1 nearest neighbour, r_p, clamped to the map
 *       stop if every |t_i - p_i| &lt; reach (2 cells)
 *       L = sum_i (2 r_m+1)^2 L1(sg(F[patch(p_i)]), F[patch(p_i + d_i)])   (MotionSupervision, skips |t-p| &lt; 2
 *                                                                            and, for RotationDrag, exactly
 *                                                                            axis-aligned handles)
 *         + lam * sum |DDIM step(z, eps, t) - x_prev_0| * (1 - mask)       (only when a latent mask is given)
 *       z &lt;- Adam(z, dL/dz, lr)                                              (1 backward)
 * </pre>
 * Positions are feature cells of the {@link FeatureGrid} (4x the latent). Every step runs in its own
 * sub-manager, closed at the end of the step; the caller's {@link Observer} sees each step and may throw from
 * {@link Observer#beforeStep} to cancel between steps.
 */
public final class DragOptimizer {

    private static final Logger LOG = LoggerFactory.getLogger(DragOptimizer.class);

    /** Why the loop ended. */
    public enum StopReason {
        /** Every handle is within the reach distance of its target. */
        REACHED,
        /** The step budget ran out. */
        MAX_STEPS,
        /**
         * No handle gets a motion loss (each one skipped: exactly aligned with its target about its axis), none
         * reached, and nothing can change any more: no mask term applies, or the mask term's update left the latent
         * exactly as it was (so every later step would repeat this one). Otherwise the loop goes on.
         */
        NO_ACTIVE_HANDLE
    }

    /**
     * @param trackerId    one of {@link PointTrackers#IDS}
     * @param tracker      tracker settings (r_p, rotation threshold, angle bins, sense)
     * @param supervision  motion supervision (r_m, skip distance, axis skip, lam, reach distance)
     * @param learningRate Adam lr on the latent (0.01)
     * @param maxSteps     optimisation steps at most
     * @param previewEvery hand the current x0 prediction to the observer every N steps (0 = never)
     * @param conventions  product or reference conventions of the tracker ({@link Conventions})
     */
    public record Settings(String trackerId, TrackerConfig tracker, MotionSupervision.Config supervision,
                           double learningRate, int maxSteps, int previewEvery, Conventions conventions) {
        public Settings(String trackerId, TrackerConfig tracker, MotionSupervision.Config supervision,
                        double learningRate, int maxSteps, int previewEvery) {
            this(trackerId, tracker, supervision, learningRate, maxSteps, previewEvery, Conventions.PRODUCT);
        }

        public Settings {
            if (conventions == null) {
                conventions = Conventions.PRODUCT;
            }
            if (!PointTrackers.IDS.contains(trackerId)) {
                throw new IllegalArgumentException("unknown tracker '" + trackerId + "', expected one of "
                        + PointTrackers.IDS);
            }
            if (tracker == null || supervision == null) {
                throw new IllegalArgumentException("tracker and supervision settings are required");
            }
            if (!(learningRate > 0) || maxSteps < 0 || previewEvery < 0) {
                throw new IllegalArgumentException("invalid drag settings: lr " + learningRate + ", max steps "
                        + maxSteps + ", preview every " + previewEvery);
            }
        }
    }

    /**
     * One drag problem.
     *
     * @param initialLatent z_init [1, 4, h, w] (not modified)
     * @param text          text states [1, M, D]
     * @param timestep      t (the inversion's last timestep)
     * @param numInferenceSteps the DDIM schedule length (x_prev is the step from t to t - T/n)
     * @param handles       initial handles, feature cells (rounded and clamped into the map)
     * @param targets       targets, feature cells (rounded and clamped)
     * @param axes          rotation axis per handle in feature cells, or null (required by the rotation trackers)
     * @param latentMask    editable region at latent size for the mask term, or null for no mask term
     */
    public record Problem(NDArray initialLatent, NDArray text, int timestep, int numInferenceSteps,
                          List<Vec2> handles, List<Vec2> targets, List<Vec2> axes, BinaryMask latentMask) {
        public Problem {
            if (handles == null || targets == null || handles.isEmpty() || handles.size() != targets.size()) {
                throw new IllegalArgumentException("need one target per handle and at least one handle");
            }
            if (axes != null && axes.size() != handles.size()) {
                throw new IllegalArgumentException(axes.size() + " axes for " + handles.size() + " handles");
            }
            handles = List.copyOf(handles);
            targets = List.copyOf(targets);
            axes = axes == null ? null : List.copyOf(axes);
        }
    }

    /**
     * One finished step.
     *
     * @param step          0-based iteration index
     * @param total         the step budget
     * @param handles       handle positions used at this step (after tracking), feature cells
     * @param loss          the loss minimised at this step, or NaN when the loop stopped at this step without update
     * @param activeHandles handles that contributed to the motion-supervision loss
     * @param x0Preview     the current x0 prediction [1, 4, h, w] on preview steps (valid only during the call), else
     *                      null
     */
    public record Step(int step, int total, List<Vec2> handles, double loss, int activeHandles, NDArray x0Preview) {
    }

    /**
     * Everything one step did, for step-by-step comparison with the reference (feature cells; arrays are copies).
     *
     * @param step          0-based iteration index
     * @param shape         latent shape [1, 4, h, w]
     * @param latentBefore  z at the start of the step (the latent the forward ran on)
     * @param handlesBefore handles before tracking
     * @param handles       handles after tracking (the ones the loss used)
     * @param tracking      the tracker's record per handle (empty at step 0, which does not track)
     * @param loss          motion + mask, NaN when the loop stopped at this step without an update
     * @param motionLoss    the motion-supervision part
     * @param maskLoss      the mask-term part (0 without a mask term)
     * @param activeHandles handles that contributed to the motion part
     * @param gradient      dL/dz of this step, or null without an update
     * @param latentAfter   z after the Adam update (= latentBefore without an update)
     * @param grid          the feature grid (to map cells to image pixels)
     */
    public record StepTrace(int step, long[] shape, float[] latentBefore, List<Vec2> handlesBefore,
                            List<Vec2> handles, List<TrackRecord> tracking, double loss, double motionLoss,
                            double maskLoss, int activeHandles, float[] gradient, float[] latentAfter,
                            FeatureGrid grid) {
        public boolean updated() {
            return gradient != null;
        }
    }

    /** Sees the loop; {@link #beforeStep} may throw to cancel before a step starts. */
    public interface Observer {
        Observer NONE = new Observer() {
        };

        default void beforeStep(int step, int total) {
        }

        default void onStep(Step step) {
        }

        /** True to get a {@link StepTrace} per step (copies the latent and gradient to Java arrays). */
        default boolean wantsTrace() {
            return false;
        }

        default void onTrace(StepTrace trace) {
        }
    }

    /**
     * @param latent     optimised latent, row-major float32
     * @param shape      its shape [1, 4, h, w]
     * @param trajectory handles (feature cells) at every iteration; index 0 = initial handles
     * @param angles     signed angle (degrees, product sense) of each handle about its axis per iteration, or empty
     *                   without axes
     * @param losses     loss per update step
     * @param steps      optimisation updates made
     * @param stop       why the loop ended
     * @param trackerStats the tracker's counters
     */
    public record Result(float[] latent, long[] shape, List<List<Vec2>> trajectory, List<double[]> angles,
                         List<Double> losses, int steps, StopReason stop, TrackerStats trackerStats) {
        public List<Vec2> finalHandles() {
            return trajectory.get(trajectory.size() - 1);
        }
    }

    private final UNetFeatures features;
    private final DdimScheduler scheduler;

    public DragOptimizer(UNetFeatures features, DdimScheduler scheduler) {
        this.features = features;
        this.scheduler = scheduler;
    }

    /**
     * Runs the optimisation. UNet forwards and backwards go to the {@link UNetFeatures}' counter (the rotated-feature
     * source counts its own re-inversions).
     *
     * @param source rotated-source features for the rotation trackers (ignored by the others)
     */
    public Result run(Problem p, Settings s, RotatedFeatureSource source, Observer observer) {
        Observer obs = observer == null ? Observer.NONE : observer;
        FeatureGrid grid = features.grid();
        MotionSupervision supervision = new MotionSupervision(s.supervision());
        List<Vec2> targets = cells(p.targets(), grid);
        List<Vec2> handles = cells(p.handles(), grid);
        List<Vec2> initial = handles;
        List<List<Vec2>> trajectory = new ArrayList<>();
        List<double[]> angles = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        trajectory.add(handles);
        if (p.axes() != null) {
            angles.add(angles(p.axes(), initial, handles));
        }
        UNetEvaluations counter = features.counter();
        int t = p.timestep();
        int n = p.numInferenceSteps();
        StopReason stop = StopReason.MAX_STEPS;
        int updates = 0;
        PointTracker tracker;
        try (NDManager run = p.initialLatent().getManager().newSubManager()) {
            NDArray z = p.initialLatent().duplicate();
            z.attach(run);
            NDArray xPrev0 = null;
            NDArray mask = p.latentMask() == null ? null : p.latentMask().toNDArray(run).toType(z.getDataType(), false);
            try (NDManager init = run.newSubManager()) {
                NDArray z0 = z.duplicate();
                z0.attach(init);
                UNetFeatures.Output o = features.compute(z0, t, p.text(), false);
                tracker = PointTrackers.create(s.trackerId(), new TrackingSetup(o.features(), initial, p.axes()),
                        s.tracker(), source, s.conventions());
            }
            try (AdamW adam = AdamW.adam(run, s.learningRate())) {
                for (int k = 0; k < s.maxSteps(); k++) {
                    obs.beforeStep(k, s.maxSteps());
                    long stepStart = System.nanoTime();
                    try (NDManager step = run.newSubManager()) {
                        boolean trace = obs.wantsTrace();
                        float[] latentBefore = trace ? floats(z) : null;
                        List<Vec2> handlesBefore = handles;
                        List<TrackRecord> tracked = List.of();
                        double motionValue = Double.NaN;
                        double maskValue = 0;
                        NDArray leaf = z.duplicate();
                        leaf.attach(step);
                        leaf.setRequiresGradient(true);
                        double lossValue = Double.NaN;
                        int active = 0;
                        boolean finished = false;
                        NDArray eps;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            UNetFeatures.Output o = features.compute(leaf, t, p.text(), true);
                            eps = o.noise();
                            if (k > 0) {
                                handles = tracker.track(o.features(), handles);
                                tracked = tracker.lastTrack();
                                trajectory.add(handles);
                                if (p.axes() != null) {
                                    angles.add(angles(p.axes(), initial, handles));
                                }
                            }
                            if (supervision.allReached(handles, targets)) {
                                stop = StopReason.REACHED;
                                finished = true;
                            } else {
                                MotionSupervision.DragLoss dl = supervision.dragLoss(o.features(), handles, targets,
                                        p.axes());
                                active = dl.activeHandles();
                                motionValue = dl.value().getFloat();
                                if (active == 0 && mask == null) {
                                    // nothing to optimise: without a mask term z stays put, so tracking would
                                    // find the same handles at every further step
                                    stop = StopReason.NO_ACTIVE_HANDLE;
                                    finished = true;
                                } else {
                                    // with no active handle the mask term and tracking go on (as the reference)
                                    NDArray loss = dl.value();
                                    if (mask != null) {
                                        NDArray xPrev = scheduler.step(leaf, eps, t, n);
                                        if (xPrev0 == null) {
                                            // x_prev_0 from this very forward (z is still z_init: no step has
                                            // updated it yet), so |x_prev - x_prev_0| is exactly 0 here and so
                                            // is its gradient (sign(0) = 0). A separate no-grad forward agrees
                                            // only to float noise, whose random sign would push every element
                                            // outside the mask by +-lam in the first update.
                                            xPrev0 = xPrev.duplicate(); // duplicate() detaches
                                            xPrev0.attach(run);
                                        }
                                        NDArray maskLoss = supervision.maskLoss(xPrev, xPrev0, mask);
                                        maskValue = maskLoss.getFloat();
                                        loss = loss.add(maskLoss);
                                    }
                                    gc.backward(loss);
                                    counter.backward();
                                    lossValue = loss.getFloat();
                                }
                            }
                        }
                        NDArray preview = null;
                        float[] gradient = null;
                        if (!finished) {
                            NDArray grad = leaf.getGradient();
                            if (trace) {
                                gradient = floats(grad);
                            }
                            if (s.previewEvery() > 0 && (k + 1) % s.previewEvery() == 0) {
                                // x0 of this step's forward, as the reference UI shows it
                                preview = scheduler.predictOriginal(leaf.stopGradient(), eps.stopGradient(), t);
                            }
                            // with no active handle only the mask term acts; when it leaves z exactly as it was
                            // (zero gradient and no Adam momentum left) every later step would repeat this one
                            float[] unmoved = active == 0 ? floats(z) : null;
                            adam.step(List.of(z), List.of(grad));
                            updates++;
                            if (unmoved != null && java.util.Arrays.equals(unmoved, floats(z))) {
                                stop = StopReason.NO_ACTIVE_HANDLE;
                                finished = true;
                            }
                            losses.add(lossValue);
                            if (!Double.isFinite(lossValue)) {
                                throw new IllegalStateException("drag loss is " + lossValue + " at step " + k);
                            }
                        }
                        LOG.debug("drag step {}/{}: loss {}, handles {}, {} ms", k + 1, s.maxSteps(), lossValue,
                                handles, (System.nanoTime() - stepStart) / 1_000_000);
                        obs.onStep(new Step(k, s.maxSteps(), handles, lossValue, active, preview));
                        if (trace) {
                            obs.onTrace(new StepTrace(k, z.getShape().getShape(), latentBefore, handlesBefore,
                                    handles, tracked, lossValue, motionValue, maskValue, active, gradient,
                                    gradient == null ? latentBefore : floats(z), grid));
                        }
                        if (finished) {
                            break;
                        }
                    }
                }
            }
            float[] out = z.toFloatArray();
            long[] shape = z.getShape().getShape();
            LOG.info("drag ({}) finished after {} updates: {}, handles {} -> targets {}, {}", s.trackerId(), updates,
                    stop, handles, targets, counter);
            return new Result(out, shape, List.copyOf(trajectory), List.copyOf(angles), List.copyOf(losses), updates,
                    stop, tracker.stats());
        }
    }

    private static float[] floats(NDArray a) {
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    }

    /** Image-grid positions to rounded, clamped feature cells. */
    private static List<Vec2> cells(List<Vec2> pts, FeatureGrid grid) {
        List<Vec2> out = new ArrayList<>(pts.size());
        for (Vec2 v : pts) {
            out.add(v.rounded().clamp(grid.featureWidth(), grid.featureHeight()));
        }
        return List.copyOf(out);
    }

    private static double[] angles(List<Vec2> axes, List<Vec2> initial, List<Vec2> current) {
        double[] a = new double[current.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = RotationAxis.signedAngle(axes.get(i), initial.get(i), current.get(i));
        }
        return a;
    }
}
