package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.drag.BinaryMask;
import io.rotationdrag.drag.RotationAxis;
import io.rotationdrag.drag.TrackerStats;
import io.rotationdrag.drag.Vec2;
import io.rotationdrag.lora.AttachedLora;
import io.rotationdrag.lora.LoraWeights;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drag and denoise stages of the region methods: instead of optimising the latent, the part is turned by the
 * known transform ({@link RegionMotion}) and the model only repaints what the turn uncovered.
 *
 * <p><b>rotate-latent</b> ({@link TrackerKind#ROTATE_LATENT}): the drag stage applies the motion to the inverted z_t
 * ({@link LatentRegionWarp}); the denoise stage is the ordinary one ([original, warped] with mutual self-attention
 * control). No UNet evaluation in the drag stage, no backward pass.
 *
 * <p><b>rotate-pixels</b> ({@link TrackerKind#ROTATE_PIXELS}): the part's pixels are moved on the input grid
 * ({@link RegionWarp}); the warped image (resized to the working size) is VAE-encoded to x0_w; the noise the
 * inversion implies, eps_hat = (z_t - sqrt(abar_t) x0) / sqrt(1 - abar_t), is moved with the part the same way
 * (so content keeps its own noise) to eps_w. Blended latent diffusion then denoises from
 * <pre>
 *   z_start = z_known(t),   z_known(t) = sqrt(abar_t) x0_w + sqrt(1 - abar_t) eps_w
 * </pre>
 * (the whole warped image noised, so the uncovered cells start from its smooth harmonic fill rather than from the old
 * part's inverted latent) and after every DDIM step to t' replaces the known cells again:
 * z = m_k z_known(t') + (1 - m_k) z (at the last step z_known = x0_w). m_k is 0 on latent cells that hold any
 * unknown pixel, grown by one cell (the seam the model harmonises), 1 elsewhere. Batch 1, no attention control:
 * n_actual UNet forwards in all. The decoded result is upscaled to the input size and used only on the unknown pixels
 * (grown by the feather width into the background, feathered; never on the moved part); every known pixel is the
 * warped input's, at the input's resolution.
 */
final class RegionRotateStage {

    private static final Logger LOG = LoggerFactory.getLogger(RegionRotateStage.class);

    private final StableDiffusion model;
    private final DdimInverter inverter;

    RegionRotateStage(StableDiffusion model, DdimInverter inverter) {
        this.model = model;
        this.inverter = inverter;
    }

    /** The input-size mask of a request, or null when none (or an empty one) was drawn. */
    static BinaryMask inputMask(EditRequest r) {
        if (r.mask() == null) {
            return null;
        }
        BinaryMask m = BinaryMask.fromImage(r.mask());
        return m.isEmpty() ? null : m;
    }

    static RegionMotion motion(PreparedEdit e, EditRequest r) {
        return RegionMotion.plan(e.input(), inputMask(r), r.points());
    }

    /** Seam width in input pixels: one working pixel. */
    static int seamPx(PreparedEdit e) {
        return Math.max(1, (int) Math.round((double) e.inputWidth() / e.workWidth()));
    }

    /** The drag stage: the moved latent, with the handles' start and end as the trajectory. */
    DragOutcome drag(PreparedEdit e, EditRequest r, Inversion inv, ProgressListener progress, Cancellation cancel) {
        Cancellation.check(cancel, ProgressEvent.DRAG, 0);
        TrackerKind kind = e.options().tracker();
        RegionMotion motion = motion(e, r);
        for (RegionMotion.Part p : motion.parts()) {
            LOG.info("{}: part of {} px, {}", kind.id(), count(p.region()), p.how());
        }
        float[] latent;
        if (kind == TrackerKind.ROTATE_LATENT) {
            latent = LatentRegionWarp.warp(inv.latent(), inv.shape(), motion);
        } else if (kind == TrackerKind.ROTATE_PIXELS) {
            try (NDManager m = model.manager().newSubManager()) {
                Blend b = blend(e, r, inv, motion, m);
                latent = b.start.toFloatArray();
            }
        } else {
            throw new IllegalArgumentException(kind.id() + " is not a region method");
        }
        List<double[]> start = new ArrayList<>();
        List<double[]> end = new ArrayList<>();
        double[] a0 = new double[countHandles(r)];
        double[] a1 = new double[a0.length];
        List<Vec2> axes = new ArrayList<>();
        for (PointPair p : r.points()) {
            if (p.isAxis()) {
                axes.add(new Vec2(p.hx(), p.hy()));
            }
        }
        int k = 0;
        List<Vec2> hs = new ArrayList<>();
        List<Vec2> ts = new ArrayList<>();
        for (PointPair p : r.points()) {
            if (!p.isAxis()) {
                Vec2 h = new Vec2(p.hx(), p.hy());
                Vec2 moved = motion.moved(k, h);
                start.add(new double[] {h.x(), h.y()});
                end.add(new double[] {moved.x(), moved.y()});
                hs.add(h);
                ts.add(new Vec2(p.tx(), p.ty()));
                k++;
            }
        }
        List<RotationAxis.Choice> choices = RotationAxis.select(e.inputWidth(), e.inputHeight(), inputMask(r), hs, ts,
                axes);
        for (int i = 0; i < hs.size(); i++) {
            Vec2 m = new Vec2(end.get(i)[0], end.get(i)[1]);
            a1[i] = RotationAxis.signedAngle(choices.get(i).axis(), hs.get(i), m);
        }
        if (progress != null) {
            progress.onEvent(new ProgressEvent(ProgressEvent.DRAG, 1, 1, end, null, null));
        }
        return new DragOutcome(latent, inv.shape(), inv.timestep(), kind.id(), List.of(start, end), List.of(a0, a1),
                List.of(), 0, "REACHED", 0, 0, 0, new TrackerStats(0, 0, 0, 0, 0));
    }

    /** The denoise stage of rotate-pixels, at the input size (before the outside-mask composite). */
    BufferedImage denoisePixels(PreparedEdit e, EditRequest r, Inversion inv, DragOutcome d, LoraWeights lora,
                                ProgressListener progress, Cancellation cancel) {
        RegionMotion motion = motion(e, r);
        try (NDManager m = model.manager().newSubManager();
             AttachedLora l = AttachedLora.attach(model.unet(), lora, m)) {
            Blend b = blend(e, r, inv, motion, m);
            NDArray text = model.encodePrompt(m, e.prompt());
            NDArray z = OwnedArrays.of(m, d.latent(), new Shape(inv.shape()));
            int[] ts = model.scheduler().denoisingTimesteps(inv.numInferenceSteps(), inv.actualSteps());
            NDArray x0 = blendedDenoise(z, b, text, ts, inv.numInferenceSteps(), progress, cancel);
            BufferedImage up;
            try (NDManager scope = m.newSubManager()) {
                NDArray zz = x0.duplicate();
                zz.attach(scope);
                NDArray img = model.vae().decode(OwnedArrays.div(zz, model.vae().scalingFactor()));
                up = ImageOps.fromTensor(img, e.inputWidth(), e.inputHeight());
            }
            return known(b.warped, up, OutsideMaskComposite.featherPx(e.inputWidth(), e.workWidth()));
        }
    }

    /** Warped input on known pixels, the model's on unknown ones, feathered over F px outside the unknown region. */
    static BufferedImage known(RegionWarp.Warped w, BufferedImage model, double featherPx) {
        int f = (int) Math.ceil(featherPx);
        float[] s = Feather.inside(Feather.dilate(w.unknown(), w.width(), w.height(), f), w.width(), w.height(),
                featherPx);
        for (int k = 0; k < s.length; k++) {
            if (w.coverage()[k] >= RegionWarp.MOVED) {
                s[k] = 0f; // the moved part stays the input's pixels, the feather runs into the background only
            }
        }
        int[] md = model.getRGB(0, 0, w.width(), w.height(), null, 0, w.width());
        int[] warped = w.image().getRGB(0, 0, w.width(), w.height(), null, 0, w.width());
        int[] out = new int[md.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = OutsideMaskComposite.blend(warped[k], md[k], s[k]);
        }
        BufferedImage o = new BufferedImage(w.width(), w.height(), BufferedImage.TYPE_INT_RGB);
        o.setRGB(0, 0, w.width(), w.height(), out, 0, w.width());
        return o;
    }

    /** Everything blended latent diffusion needs, in {@code m}. */
    private record Blend(RegionWarp.Warped warped, NDArray x0, NDArray eps, NDArray known, NDArray start) {
    }

    private Blend blend(PreparedEdit e, EditRequest r, Inversion inv, RegionMotion motion, NDManager m) {
        RegionWarp.Warped warped = RegionWarp.warp(e.input(), inputMask(r), motion, seamPx(e));
        BufferedImage work = ImageOps.resize(warped.image(), e.workWidth(), e.workHeight());
        NDArray x0w = inverter.encode(work, m);
        long[] shape = inv.shape();
        if (!x0w.getShape().equals(new Shape(shape))) {
            throw new IllegalStateException("warped latent " + x0w.getShape() + " vs inversion " + new Shape(shape));
        }
        double ab = model.scheduler().alphaCumprod(inv.timestep());
        float[] zt = inv.latent();
        float[] x0 = inv.imageLatent();
        float[] eps = new float[zt.length];
        double sa = Math.sqrt(ab);
        double sn = Math.sqrt(1 - ab);
        for (int k = 0; k < eps.length; k++) {
            eps[k] = (float) ((zt[k] - sa * x0[k]) / sn);
        }
        float[] epsW = LatentRegionWarp.warp(eps, shape, motion);
        int h = (int) shape[2];
        int w = (int) shape[3];
        float[] unknownFrac = RegionMotion.areaResize(toFloat(warped.unknown()), e.inputWidth(), e.inputHeight(), w,
                h);
        boolean[] unknownCell = new boolean[w * h];
        for (int k = 0; k < unknownCell.length; k++) {
            unknownCell[k] = unknownFrac[k] > 0;
        }
        unknownCell = Feather.dilate(unknownCell, w, h, 1);
        float[] known = new float[w * h];
        for (int k = 0; k < known.length; k++) {
            known[k] = unknownCell[k] ? 0f : 1f;
        }
        NDArray epsA = OwnedArrays.of(m, epsW, new Shape(shape));
        NDArray mk = OwnedArrays.of(m, known, new Shape(1, 1, h, w));
        NDArray zKnown = noised(x0w, epsA, ab);
        NDArray start = zKnown;
        LOG.info("rotate-pixels: {} unknown pixels of {}, {} unknown latent cells of {}", count(warped.unknown()),
                warped.unknown().length, count(unknownCell), unknownCell.length);
        return new Blend(warped, x0w, epsA, mk, start);
    }

    private static NDArray noised(NDArray x0, NDArray eps, double alphaBar) {
        return OwnedArrays.mul(x0, Math.sqrt(alphaBar)).add(OwnedArrays.mul(eps, Math.sqrt(1 - alphaBar)));
    }

    /** The DDIM loop with the known cells replaced after every step; returns the final latent in z's manager. */
    private NDArray blendedDenoise(NDArray z, Blend b, NDArray text, int[] ts, int n, ProgressListener progress,
                                   Cancellation cancel) {
        DdimScheduler sched = model.scheduler();
        NDManager outer = z.getManager();
        NDArray x = z.toType(DataType.FLOAT32, true);
        NDArray unknown = b.known.neg().add(1f);
        for (int i = 0; i < ts.length; i++) {
            Cancellation.check(cancel, ProgressEvent.DENOISE, i);
            try (NDManager step = outer.newSubManager()) {
                NDArray cur = x;
                cur.attach(step);
                NDArray eps = model.unet().predictNoise(cur, ts[i], text).toType(DataType.FLOAT32, false);
                NDArray next = sched.step(cur, eps, ts[i], n);
                double abPrev = sched.alphaCumprodOrFinal(ts[i] - sched.stepRatio(n));
                NDArray blended = noised(b.x0, b.eps, abPrev).mul(b.known).add(next.mul(unknown));
                blended.attach(outer);
                x = blended;
            }
            if (progress != null) {
                progress.onEvent(ProgressEvent.of(ProgressEvent.DENOISE, i + 1, ts.length, null));
            }
        }
        return x;
    }

    private static float[] toFloat(boolean[] b) {
        float[] f = new float[b.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = b[k] ? 1f : 0f;
        }
        return f;
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean v : b) {
            n += v ? 1 : 0;
        }
        return n;
    }

    private static int countHandles(EditRequest r) {
        return (int) r.points().stream().filter(p -> !p.isAxis()).count();
    }
}
