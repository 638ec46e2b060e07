package io.rotationdrag.drag;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.optim.AdamW;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FreeDrag as published (Ling et al., CVPR 2024, diffusion version: the authors' {@code freedrag_update}; the
 * RotationDrag repository's {@code free_drag_update} is a port of it): no point tracking; a virtual handle moved by a
 * line search with backtracking ({@link FreeDragLineSearch}) and a template feature with adaptive updating
 * ({@link FreeDragTemplate}).
 *
 * <pre>
 *   F0 = F(z_init) (1 forward); T_i = patch(F0, h_i); p_i = h_i; l_ini_i = l_end_i = 0; F_cur = F0
 *   repeat until every handle is settled or the step budget is spent:
 *       for each unsettled handle: p_i &lt;- localize(p_i, t_i, l_ini_i, l_end_i, dist on F_cur)      (no UNet call)
 *       up to innerSteps times:                                               (1 forward + 1 backward each)
 *           F, eps = UNet(z);  l_i = mean |patch(F, p_i) - sg(T_i)|
 *           L = sum_i l_i + lam * mean(|x_prev(z) - x_prev(z_init)| * (1 - mask))   (mask term only with a mask)
 *           z &lt;- Adam(z, dL/dz, lr);  after the first: l_ini = l;  leave early when max_i l_i &lt; threshold_l
 *       F_cur = F(z) (1 forward, no gradient); l_end_i = mean |patch(F_cur, p_i) - T_i|
 *       settled_i, T_i &lt;- FreeDragTemplate rule with l_end_i
 * </pre>
 * patch(F, p) is the bilinear, edge-replicated patch of (2 win_r + 1)^2 samples at unit spacing around p
 * ({@link FeatureMap#patch}); the reference truncates indices and does not guard the border. Positions are feature
 * cells of the {@link FeatureGrid} and stay continuous (not rounded). Hyper-parameters and their units:
 * {@link FreeDragConfig} (l_expected 1, d_max 5 cells, win_r 4, 5 inner steps, 10 candidates, lam 10 on the mean,
 * threshold_d 2 cells). The step budget counts latent updates; when it runs out the loop ends without the final check
 * forward. x_prev(z_init) comes from the first update's own forward (z is still z_init then), as in
 * {@link DragOptimizer}.
 *
 * <p>UNet evaluations go to the {@link UNetFeatures}' counter: 1 + updates + localisation checks forwards, one backward
 * per update. The result reuses {@link DragOptimizer.Result}: trajectory index 0 = initial handles, then the virtual
 * handles of every update; its {@link TrackerStats} count localisation rounds ({@code trackingCalls}) and handle
 * localisations ({@code plainTemplateUses}); {@link Result#rounds()} has every decision.
 */
public final class FreeDragOptimizer {

    private static final Logger LOG = LoggerFactory.getLogger(FreeDragOptimizer.class);

    /**
     * @param config       FreeDrag's hyper-parameters
     * @param learningRate Adam lr on the latent (0.01, as the reference)
     * @param maxSteps     latent updates at most (the reference UI's max_step is 300)
     * @param previewEvery hand the current x0 prediction to the observer every N updates (0 = never)
     */
    public record Settings(FreeDragConfig config, double learningRate, int maxSteps, int previewEvery) {
        public Settings {
            if (config == null) {
                throw new IllegalArgumentException("FreeDrag config is required");
            }
            if (!(learningRate > 0) || maxSteps < 0 || previewEvery < 0) {
                throw new IllegalArgumentException("invalid FreeDrag settings: lr " + learningRate + ", max steps "
                        + maxSteps + ", preview every " + previewEvery);
            }
        }
    }

    /**
     * One localisation round.
     *
     * @param firstStep     the 0-based index of the round's first update
     * @param updates       latent updates made in the round
     * @param decisions     per handle, the line search's decision, or null for a settled handle (not moved)
     * @param lossInit      per handle, the loss at the round's first update
     * @param lossEnd       per handle, the loss after the round's updates (NaN when the budget ran out first)
     * @param templateWeights per handle, the template weight lambda used (NaN when no check ran)
     * @param settled       per handle, settled after the round
     */
    public record Round(int firstStep, int updates, List<FreeDragLineSearch.Decision> decisions, double[] lossInit,
                        double[] lossEnd, double[] templateWeights, boolean[] settled) {
    }

    /** The drag result in the common form, and FreeDrag's rounds. */
    public record Result(DragOptimizer.Result drag, List<Round> rounds) {
    }

    private final UNetFeatures features;
    private final DdimScheduler scheduler;

    public FreeDragOptimizer(UNetFeatures features, DdimScheduler scheduler) {
        this.features = features;
        this.scheduler = scheduler;
    }

    /**
     * Runs FreeDrag on one problem (its axes are ignored).
     *
     * @param observer sees every update; {@link DragOptimizer.Observer#beforeStep} may throw to cancel
     */
    public Result run(DragOptimizer.Problem p, Settings s, DragOptimizer.Observer observer) {
        try (NDManager run = p.initialLatent().getManager().newSubManager()) {
            return new Loop(p, s, observer == null ? DragOptimizer.Observer.NONE : observer, run).run();
        }
    }

    /** The state of one run; every array lives in {@code run} or in a sub-manager of one step. */
    private final class Loop {
        private final DragOptimizer.Problem p;
        private final Settings s;
        private final FreeDragConfig cfg;
        private final DragOptimizer.Observer obs;
        private final NDManager run;
        private final int n;
        private final Vec2[] targets;
        private final Vec2[] virt;
        private final double[] lossEnd;
        private final boolean[] settled;
        private final FreeDragTemplate[] templates;
        private final List<List<Vec2>> trajectory = new ArrayList<>();
        private final List<Double> losses = new ArrayList<>();
        private final List<Round> rounds = new ArrayList<>();
        private final NDArray z;
        private final NDArray mask;
        private final MotionSupervision maskTerm;
        private double[] lossInit;
        private NDArray xPrev0;
        /** F of the latest check (F0 at first): the line search's feature map. */
        private NDArray current;
        private int updates;
        private int localisations;

        Loop(DragOptimizer.Problem p, Settings s, DragOptimizer.Observer obs, NDManager run) {
            this.p = p;
            this.s = s;
            this.cfg = s.config();
            this.obs = obs;
            this.run = run;
            FeatureGrid grid = features.grid();
            n = p.handles().size();
            targets = new Vec2[n];
            virt = new Vec2[n];
            for (int i = 0; i < n; i++) {
                targets[i] = p.targets().get(i).rounded().clamp(grid.featureWidth(), grid.featureHeight());
                virt[i] = p.handles().get(i).rounded().clamp(grid.featureWidth(), grid.featureHeight());
            }
            lossInit = new double[n];
            lossEnd = new double[n];
            settled = new boolean[n];
            templates = new FreeDragTemplate[n];
            z = p.initialLatent().duplicate();
            z.attach(run);
            mask = p.latentMask() == null ? null : p.latentMask().toNDArray(run).toType(z.getDataType(), false);
            // FreeDrag's lam * mean(...) as MotionSupervision's lam' * sum(...), lam' = lam / numel(x_prev)
            maskTerm = new MotionSupervision(new MotionSupervision.Config(0, 0, Double.NaN,
                    cfg.maskWeight() / z.getShape().size(), 0));
        }

        Result run() {
            trajectory.add(List.of(virt));
            initialTemplates();
            FreeDragLineSearch search = new FreeDragLineSearch(cfg, FeatureMap.width(current),
                    FeatureMap.height(current));
            DragOptimizer.StopReason stop;
            try (AdamW adam = AdamW.adam(run, s.learningRate())) {
                while (true) {
                    if (allTrue(settled)) {
                        stop = DragOptimizer.StopReason.REACHED;
                        break;
                    }
                    if (updates >= s.maxSteps()) {
                        stop = DragOptimizer.StopReason.MAX_STEPS;
                        break;
                    }
                    List<FreeDragLineSearch.Decision> decisions = localise(search);
                    int firstStep = updates;
                    double[] roundInit = null;
                    for (int inner = 0; inner < cfg.innerSteps() && updates < s.maxSteps(); inner++) {
                        double[] sup = update(adam);
                        if (roundInit == null) {
                            roundInit = sup;
                        }
                        if (max(sup) < cfg.lossThreshold()) {
                            break;
                        }
                    }
                    lossInit = roundInit;
                    if (updates >= s.maxSteps()) {
                        // budget spent: the reference's last check would only decide the stop reason
                        rounds.add(new Round(firstStep, updates - firstStep, decisions, roundInit.clone(), nan(n),
                                nan(n), settled.clone()));
                        stop = DragOptimizer.StopReason.MAX_STEPS;
                        break;
                    }
                    double[] weights = check();
                    rounds.add(new Round(firstStep, updates - firstStep, decisions, roundInit.clone(),
                            lossEnd.clone(), weights, settled.clone()));
                    LOG.debug("freedrag round {}: decisions {}, l_ini {}, l_end {}, lambda {}, settled {}",
                            rounds.size(), decisions, Arrays.toString(roundInit), Arrays.toString(lossEnd),
                            Arrays.toString(weights), Arrays.toString(settled));
                }
            }
            LOG.info("freedrag finished after {} updates in {} rounds: {}, virtual handles {} -> targets {}, {}",
                    updates, rounds.size(), stop, List.of(virt), List.of(targets), features.counter());
            TrackerStats stats = new TrackerStats(rounds.size(), 0, 0, localisations, 0);
            DragOptimizer.Result drag = new DragOptimizer.Result(z.toFloatArray(), z.getShape().getShape(),
                    List.copyOf(trajectory), List.of(), List.copyOf(losses), updates, stop, stats);
            return new Result(drag, List.copyOf(rounds));
        }

        /** F0 = F(z_init) (1 forward): the templates and the first line search's map. */
        private void initialTemplates() {
            try (NDManager init = run.newSubManager()) {
                NDArray z0 = z.duplicate();
                z0.attach(init);
                NDArray f0 = features.compute(z0, p.timestep(), p.text(), false).features().stopGradient();
                for (int i = 0; i < n; i++) {
                    templates[i] = new FreeDragTemplate(cfg, patchValues(f0, virt[i], cfg.patchRadius()));
                }
                current = f0.duplicate();
                current.attach(run);
            }
        }

        /** Moves every unsettled virtual handle by the line search on {@link #current}; null for settled ones. */
        private List<FreeDragLineSearch.Decision> localise(FreeDragLineSearch search) {
            FreeDragLineSearch.Decision[] decisions = new FreeDragLineSearch.Decision[n];
            for (int i = 0; i < n; i++) {
                if (settled[i]) {
                    continue;
                }
                float[] tpl = templates[i].values();
                decisions[i] = search.localize(virt[i], targets[i], lossInit[i], lossEnd[i],
                        c -> candidateDistances(current, c, tpl, cfg.patchRadius()));
                virt[i] = decisions[i].point();
                localisations++;
            }
            return Arrays.asList(decisions);
        }

        /** One latent update (1 forward + 1 backward); returns each handle's loss l_i. */
        private double[] update(AdamW adam) {
            obs.beforeStep(updates, s.maxSteps());
            int t = p.timestep();
            try (NDManager step = run.newSubManager()) {
                NDArray leaf = z.duplicate();
                leaf.attach(step);
                leaf.setRequiresGradient(true);
                double[] sup = new double[n];
                double lossValue;
                NDArray eps;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    UNetFeatures.Output o = features.compute(leaf, t, p.text(), true);
                    eps = o.noise();
                    NDArray f = o.features();
                    NDArray loss = null;
                    for (int i = 0; i < n; i++) {
                        NDArray tpl = OwnedArrays.of(step, templates[i].values(),
                                new Shape(FeatureMap.channels(f), cfg.patchSamples()), f.getDataType());
                        // l_i = mean |F(patch(p_i)) - sg(T_i)| (torch's L1Loss on the [samples, C] patches)
                        NDArray li = patch(f, virt[i], cfg.patchRadius()).sub(tpl).abs().mean();
                        sup[i] = li.toType(DataType.FLOAT32, false).getFloat();
                        loss = loss == null ? li : loss.add(li);
                    }
                    if (mask != null) {
                        NDArray xPrev = scheduler.step(leaf, eps, t, p.numInferenceSteps());
                        if (xPrev0 == null) {
                            xPrev0 = xPrev.duplicate(); // z == z_init at the first update: x_prev_0, detached
                            xPrev0.attach(run);
                        }
                        loss = loss.add(maskTerm.maskLoss(xPrev, xPrev0, mask));
                    }
                    gc.backward(loss);
                    features.counter().backward();
                    lossValue = loss.toType(DataType.FLOAT32, false).getFloat();
                }
                if (!Double.isFinite(lossValue)) {
                    throw new IllegalStateException("FreeDrag loss is " + lossValue + " at step " + updates);
                }
                NDArray grad = leaf.getGradient();
                NDArray preview = null;
                if (s.previewEvery() > 0 && (updates + 1) % s.previewEvery() == 0) {
                    preview = scheduler.predictOriginal(leaf.stopGradient(), eps.stopGradient(), t);
                }
                adam.step(List.of(z), List.of(grad));
                updates++;
                losses.add(lossValue);
                List<Vec2> used = List.of(virt);
                trajectory.add(used);
                LOG.debug("freedrag step {}/{}: loss {}, per handle {}, virtual handles {}", updates, s.maxSteps(),
                        lossValue, Arrays.toString(sup), used);
                obs.onStep(new DragOptimizer.Step(updates - 1, s.maxSteps(), used, lossValue, n - count(settled),
                        preview));
                return sup;
            }
        }

        /**
         * After a round's updates (1 forward, no gradient): l_end, the settle state and the template update of every
         * handle; the new F becomes the next line search's map. Returns the template weights.
         */
        private double[] check() {
            double[] weights = new double[n];
            try (NDManager chk = run.newSubManager()) {
                NDArray zc = z.duplicate();
                zc.attach(chk);
                NDArray f = features.compute(zc, p.timestep(), p.text(), false).features().stopGradient();
                for (int i = 0; i < n; i++) {
                    float[] now = patchValues(f, virt[i], cfg.patchRadius());
                    lossEnd[i] = templates[i].distance(now);
                    settled[i] = FreeDragTemplate.settled(cfg, virt[i].distance(targets[i]), lossEnd[i]);
                    weights[i] = templates[i].update(now, lossEnd[i], settled[i]);
                }
                NDArray next = f.duplicate();
                next.attach(run);
                current.close();
                current = next;
            }
            return weights;
        }
    }

    /** The patch of (2r+1)^2 bilinear samples around p as [C, (2r+1)^2] (differentiable with respect to F). */
    static NDArray patch(NDArray features, Vec2 p, int r) {
        NDArray patch = FeatureMap.patch(features, p, r);
        return patch.reshape(patch.getShape().get(0), patch.getShape().get(1) * patch.getShape().get(2));
    }

    /** The same patch as Java floats, [C, samples] row-major, no gradient. */
    static float[] patchValues(NDArray features, Vec2 p, int r) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return patch(features, p, r).stopGradient().toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /**
     * dist(c) = mean |patch(F, c) - T| for every candidate c, in one gather: [C, k * S] samples reshaped to
     * [C, k, S], minus T as [C, 1, S], mean over channels and samples.
     */
    public static double[] candidateDistances(NDArray features, List<Vec2> candidates, float[] template, int r) {
        int side = 2 * r + 1;
        int samples = side * side;
        int k = candidates.size();
        double[] xs = new double[k * samples];
        double[] ys = new double[k * samples];
        for (int c = 0; c < k; c++) {
            Vec2 q = candidates.get(c);
            for (int dy = -r; dy <= r; dy++) {
                for (int dx = -r; dx <= r; dx++) {
                    int j = c * samples + (dy + r) * side + (dx + r);
                    xs[j] = q.x() + dx;
                    ys[j] = q.y() + dy;
                }
            }
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int channels = FeatureMap.channels(features);
            if (template.length != channels * samples) {
                throw new IllegalArgumentException("template has " + template.length + " values, expected "
                        + channels + " x " + samples);
            }
            NDArray sampled = FeatureMap.sample(features, xs, ys).stopGradient().reshape(channels, k, samples);
            NDArray tpl = OwnedArrays.of(features.getManager(), template, new Shape(channels, 1, samples),
                    features.getDataType());
            // mean over samples, then channels (DJL's PyTorch mean reduces one axis per call)
            float[] d = sampled.sub(tpl).abs().mean(new int[] {2}).mean(new int[] {0})
                    .toType(DataType.FLOAT32, false).toFloatArray();
            double[] out = new double[k];
            for (int c = 0; c < k; c++) {
                out[c] = d[c];
            }
            return out;
        }
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean v : b) {
            if (!v) {
                return false;
            }
        }
        return true;
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean v : b) {
            if (v) {
                c++;
            }
        }
        return c;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
