package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.Conventions;
import io.rotationdrag.drag.DragOptimizer;
import io.rotationdrag.drag.FeatureGrid;
import io.rotationdrag.drag.FreeDragConfig;
import io.rotationdrag.drag.FreeDragOptimizer;
import io.rotationdrag.drag.MotionSupervision;
import io.rotationdrag.drag.PointTrackers;
import io.rotationdrag.drag.RotationAxis;
import io.rotationdrag.drag.TrackerConfig;
import io.rotationdrag.drag.UNetEvaluations;
import io.rotationdrag.drag.UNetFeatures;
import io.rotationdrag.drag.Vec2;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drag stage on a prepared edit: maps the request to feature cells, chooses rotation axes, applies the mask-term
 * rule of {@link DragOptions#maskTerm()}, runs the {@link DragOptimizer} (the point-tracking methods) or the
 * {@link FreeDragOptimizer} ({@code freedrag}) and turns the result into a
 * {@link DragOutcome} in input-image pixels, with progress events, previews and cancellation between steps.
 */
final class DragStage {

    private static final Logger LOG = LoggerFactory.getLogger(DragStage.class);

    private final StableDiffusion model;

    DragStage(StableDiffusion model) {
        this.model = model;
    }

    /**
     * The settings the point-tracking optimiser gets for these options (tracker config, supervision incl. axis skip);
     * not for {@link TrackerKind#FREEDRAG}, see {@link #freeDragSettings}.
     */
    static DragOptimizer.Settings settings(EditOptions o) {
        if (o.tracker() == TrackerKind.FREEDRAG) {
            throw new IllegalArgumentException("freedrag has no point tracker; use freeDragSettings");
        }
        DragOptions d = o.drag();
        String id = o.tracker().id();
        TrackerConfig tc = new TrackerConfig(d.trackRadius(), d.angleThresholdDeg(), d.angleBinDeg(), d.angleSense(),
                d.templateBlend(), TrackerConfig.defaults().blendAlpha(), TrackerConfig.defaults().blendBeta());
        // RotationDrag's extra skip (handle exactly aligned with its target about the axis) only for the rotation
        // trackers
        double axisSkip = PointTrackers.isRotationAware(id) ? MotionSupervision.Config.rotationDrag()
                .axisAlignedSkipDegrees() : Double.NaN;
        MotionSupervision.Config sc = new MotionSupervision.Config(d.supervisionRadius(), 2.0, axisSkip,
                d.maskLambda(), d.stopDistance());
        return new DragOptimizer.Settings(id, tc, sc, d.learningRate(), d.maxSteps(), o.previewEvery(),
                d.conventions());
    }

    /**
     * FreeDrag's settings: its published hyper-parameters ({@link FreeDragConfig#published()}) with the job's stop
     * distance as threshold_d, the job's learning rate (0.01 in both) and step budget.
     */
    static FreeDragOptimizer.Settings freeDragSettings(EditOptions o) {
        DragOptions d = o.drag();
        return new FreeDragOptimizer.Settings(FreeDragConfig.published().withReachDistance(d.stopDistance()),
                d.learningRate(), d.maxSteps(), o.previewEvery());
    }

    /** The drag feature grid of a prepared edit whose latent is {@code latentWidth x latentHeight}. */
    static FeatureGrid grid(PreparedEdit e, int latentWidth, int latentHeight) {
        return FeatureGrid.ofLatent(e.workWidth(), e.workHeight(), latentWidth, latentHeight,
                e.options().drag().featuresPerLatent());
    }

    /**
     * Latent mask for the mask term per {@link MaskTerm}, or null when the term does not apply. A drawn mask is
     * down-sampled by {@link Conventions#latentMask}: under the product's conventions a latent cell is editable when
     * any pixel of it was painted.
     */
    static BinaryMask maskTermMask(PreparedEdit e, int latentWidth, int latentHeight) {
        MaskTerm rule = e.options().drag().maskTerm();
        if (rule == MaskTerm.NEVER) {
            return null;
        }
        if (e.maskDrawn()) {
            return e.options().drag().conventions().latentMask(e.mask(), grid(e, latentWidth, latentHeight),
                    latentWidth, latentHeight);
        }
        // no mask drawn: everything editable; ALWAYS reproduces the reference, whose all-zero mask pins the latent
        return rule == MaskTerm.ALWAYS ? BinaryMask.filled(latentWidth, latentHeight, false) : null;
    }

    /**
     * @param latent      the inverted latent z at {@code timestep}, row-major, shape {@code shape}
     * @param imageLatent the source's scaled VAE latent x0, same shape (needed by one-step templates, else may be null)
     * @param text        text states [1, M, D]
     * @param inverter    inverts a rotated working-size image with the source's settings (re-inverting templates)
     * @param encoder     VAE-encodes a rotated working-size image (one-step templates)
     * @param counter     receives every UNet forward/backward of this stage
     */
    DragOutcome run(PreparedEdit e, float[] latent, float[] imageLatent, long[] shape, int timestep, NDArray text,
                    RotatedSourceFeatures.ImageInverter inverter, RotatedSourceFeatures.ImageEncoder encoder,
                    UNetEvaluations counter, ProgressListener progress, Cancellation cancel,
                    DragStepListener steps) {
        EditOptions o = e.options();
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        Conventions conv = o.drag().conventions();
        int lh = (int) shape[2];
        int lw = (int) shape[3];
        FeatureGrid grid = grid(e, lw, lh);
        UNetFeatures features = new UNetFeatures(model.unet(), UNetFeatures.DEFAULT_UP_BLOCK, grid, counter);
        boolean rotation = o.tracker().rotationAware();
        List<Vec2> axesFeature = null;
        if (rotation) {
            List<RotationAxis.Choice> choices = RotationAxis.select(e.workWidth(), e.workHeight(), e.mask(),
                    e.handles(), e.targets(), e.axes());
            axesFeature = new ArrayList<>();
            for (int i = 0; i < choices.size(); i++) {
                RotationAxis.Choice c = choices.get(i);
                if (c.isFallback()) {
                    LOG.warn("handle {}: {}", i, c.reason());
                }
                axesFeature.add(conv.axisToFeature(grid, c.axis()));
            }
        }
        List<Vec2> handles = new ArrayList<>();
        List<Vec2> targets = new ArrayList<>();
        for (int i = 0; i < e.handles().size(); i++) {
            handles.add(conv.toFeatureCell(grid, e.handles().get(i)));
            targets.add(conv.toFeatureCell(grid, e.targets().get(i)));
        }
        BinaryMask latentMask = maskTermMask(e, lw, lh);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray z = OwnedArrays.of(m, latent, new Shape(shape), model.options().dataType());
            NDArray c = text.getManager() == m ? text : text.duplicate();
            if (c != text) {
                c.attach(m);
            }
            RotatedSourceFeatures source = null;
            if (rotation) {
                source = rotatedSource(e, z, imageLatent, shape, timestep, c, inverter, encoder, features, m);
            }
            int n = o.inversion().numInferenceSteps();
            DragOptimizer.Problem prob = new DragOptimizer.Problem(z, c, timestep, n, handles, targets, axesFeature,
                    latentMask);
            DragOptimizer.Observer observer = new DragOptimizer.Observer() {
                @Override
                public void beforeStep(int step, int total) {
                    Cancellation.check(cancel, ProgressEvent.DRAG, step);
                }

                @Override
                public void onStep(DragOptimizer.Step st) {
                    BufferedImage preview = st.x0Preview() == null ? null : decodePreview(st.x0Preview(), e);
                    p.onEvent(new ProgressEvent(ProgressEvent.DRAG, st.step() + 1, st.total(),
                            toInput(st.handles(), grid, e), Double.isNaN(st.loss()) ? null : st.loss(), preview));
                }

                @Override
                public boolean wantsTrace() {
                    return steps != null;
                }

                @Override
                public void onTrace(DragOptimizer.StepTrace trace) {
                    steps.onStep(trace);
                }
            };
            DragOptimizer.Result r = o.tracker() == TrackerKind.FREEDRAG
                    ? new FreeDragOptimizer(features, model.scheduler()).run(prob, freeDragSettings(o), observer).drag()
                    : new DragOptimizer(features, model.scheduler()).run(prob, settings(o), source, observer);
            List<List<double[]>> traj = new ArrayList<>();
            for (List<Vec2> hs : r.trajectory()) {
                traj.add(toInput(hs, grid, e));
            }
            long templateForwards = source == null ? 0 : source.templateForwards();
            if (source != null) {
                LOG.info("{}: {} rotated templates ({}), {} template UNet forwards", o.tracker().id(), source.calls(),
                        source.mode(), templateForwards);
            }
            return new DragOutcome(r.latent(), r.shape(), timestep, o.tracker().id(), traj, r.angles(), r.losses(),
                    r.steps(), r.stop().name(), counter.forwardCount(), counter.backwardCount(), templateForwards,
                    r.trackerStats());
        }
    }

    /** Template source of the chosen mode: the paper's tracker always re-inverts, the cached one per its option. */
    static CachedTemplateSource templateSource(EditOptions o) {
        return o.tracker() == TrackerKind.ROTATIONDRAG_CACHED ? o.drag().cachedTemplateSource()
                : CachedTemplateSource.REINVERT;
    }

    private RotatedSourceFeatures rotatedSource(PreparedEdit e, NDArray z, float[] imageLatent, long[] shape,
                                                int timestep, NDArray text, RotatedSourceFeatures.ImageInverter inv,
                                                RotatedSourceFeatures.ImageEncoder encoder, UNetFeatures features,
                                                NDManager m) {
        EditOptions o = e.options();
        if (templateSource(o) == CachedTemplateSource.REINVERT) {
            if (inv == null) {
                throw new IllegalStateException("tracker " + o.tracker().id() + " needs an inverter for the "
                        + "rotated source");
            }
            return RotatedSourceFeatures.reinverting(e.work(), inv, features, text, timestep, m,
                    o.drag().conventions().rotatedFill());
        }
        if (encoder == null || imageLatent == null) {
            throw new IllegalStateException("one-step templates of " + o.tracker().id() + " need the source's image "
                    + "latent x0 and a VAE encoder");
        }
        NDArray x0 = OwnedArrays.of(m, imageLatent, new Shape(shape));
        return RotatedSourceFeatures.oneStep(e.work(), encoder, z, x0, model.scheduler().alphaCumprod(timestep),
                o.seed(), features, text, timestep, m, o.drag().conventions().rotatedFill());
    }

    /** Feature cells to input-image pixels (cell -> working pixels -> input pixels, centres aligned). */
    static List<double[]> toInput(List<Vec2> cells, FeatureGrid grid, PreparedEdit e) {
        List<double[]> out = new ArrayList<>(cells.size());
        for (Vec2 v : cells) {
            Vec2 in = e.toInput(grid.toImage(v));
            out.add(new double[] {in.x(), in.y()});
        }
        return out;
    }

    /** Decodes an x0 latent to an input-size image (a preview costs one VAE decode). */
    private BufferedImage decodePreview(NDArray x0, PreparedEdit e) {
        try (NDManager m = x0.getManager().newSubManager()) {
            NDArray z = x0.duplicate();
            z.attach(m);
            NDArray img = model.vae().decode(OwnedArrays.div(z, model.vae().scalingFactor()));
            BufferedImage work = ImageOps.fromTensor(img);
            return ImageOps.resize(work, e.inputWidth(), e.inputHeight());
        }
    }
}
