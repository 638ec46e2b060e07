package io.rotationdrag.lora;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TextStates;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.diffusion.unet.UNetRequest;
import io.rotationdrag.diffusion.vae.AutoencoderKL;
import io.rotationdrag.diffusion.vae.DiagonalGaussian;
import io.rotationdrag.edit.Cancellation;
import io.rotationdrag.edit.ImageOps;
import io.rotationdrag.edit.ProgressEvent;
import io.rotationdrag.edit.ProgressListener;
import io.rotationdrag.optim.AdamW;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-image LoRA fine-tuning of the UNet (method.md stage 1, DragDiffusion's {@code train_lora}). Each step:
 * <pre>
 *   images  = B copies of the image: bilinear resize to cover W x H, random W x H crop, x / 127.5 - 1
 *   z0      = scaling_factor * sample(VAE posterior(images))
 *   t_b     ~ U{0, ..., T-1},  n ~ N(0, I)
 *   z_t     = sqrt(abar_t) z0 + sqrt(1 - abar_t) n                     (DDPM q(z_t | z0))
 *   loss    = mean (UNet_LoRA(z_t, t, text(prompt)) - n)^2
 * </pre>
 * and one AdamW step (constant lr) on the LoRA matrices only (A, B of to_q/to_k/to_v/to_out.0 of every attention
 * layer; B starts at 0). Every random draw (A's init from {@link LoraOptions#seed()}, crops, timesteps, posterior
 * samples and noise from a {@link SplittableRandom} with the same seed) is made in Java, so the same seed gives the
 * same {@link LoraWeights} bytes on the same engine build and thread count.
 *
 * <p>Training attaches its adapter to the model's shared UNet and opens a GradientCollector (one per JVM in DJL's
 * PyTorch engine), so no other stage may use the same model meanwhile.
 *
 * <p>When the resized image equals the crop size (the usual case: the working image itself) every crop is the whole
 * image, so the VAE posterior is computed once and reused; the posterior is still sampled afresh every step.
 */
public final class LoraTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(LoraTrainer.class);

    /** Metadata keys of the returned weights. */
    public static final String META_STEPS = "lora.steps";
    public static final String META_FINAL_LOSS = "lora.final_loss";
    public static final String META_LOSSES = "lora.losses";
    public static final String META_OPTIONS = "lora.options";
    public static final String META_SIZE = "lora.train_size";
    /** Comma-separated 1-based steps skipped for a non-finite loss or gradient ({@link FiniteStepGuard}). */
    public static final String META_SKIPPED = "lora.skipped_steps";
    /** A run fails when more than this fraction of its steps had to be skipped. */
    static final double MAX_SKIPPED_FRACTION = 0.25;

    private final StableDiffusion model;
    private final TextStates textStates;

    public LoraTrainer(StableDiffusion model) {
        this(model, TextStates.of(model));
    }

    /** @param textStates where the prompt's text states come from (the model's encoder or given states) */
    public LoraTrainer(StableDiffusion model, TextStates textStates) {
        this.model = model;
        this.textStates = textStates;
    }

    /**
     * Trains a LoRA on one image.
     *
     * @param image  the image (any size; resized to cover {@code width x height}, then cropped)
     * @param prompt text conditioning ("" allowed)
     * @param width  training width in pixels (a multiple of the UNet's input multiple, e.g. 64 for SD 1.5)
     * @param height training height in pixels
     * @return the trained weights with metadata {@link #META_STEPS}, {@link #META_FINAL_LOSS}, {@link #META_LOSSES},
     *         {@link #META_OPTIONS}, {@link #META_SIZE}
     * @throws io.rotationdrag.edit.EditCancelledException when {@code cancel} says so between steps
     */
    public LoraWeights train(BufferedImage image, String prompt, int width, int height, LoraOptions options,
                             ProgressListener progress, Cancellation cancel) {
        if (!options.enabled()) {
            throw new IllegalArgumentException("LoRA training is disabled in the options");
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("training size must be positive, got " + width + "x" + height);
        }
        UNet2DConditionModel unet = model.unet();
        if (AttachedLora.hasDeltas(unet)) {
            throw new IllegalStateException("the UNet already carries a LoRA; LoRA training needs the base UNet");
        }
        AutoencoderKL vae = model.vae();
        DdimScheduler sched = model.scheduler();
        int T = sched.numTrainTimesteps();
        int b = options.batchSize();
        double sf = vae.scalingFactor();

        // cover-resize (keeping the aspect ratio) so that a width x height crop fits; torchvision Resize + RandomCrop
        int iw = image.getWidth();
        int ih = image.getHeight();
        double cover = Math.max((double) width / iw, (double) height / ih);
        int rw = Math.max(width, (int) Math.round(iw * cover));
        int rh = Math.max(height, (int) Math.round(ih * cover));
        float[] resized = ImageOps.resizedRgbFloats(image, rw, rh);
        boolean singleCrop = rw == width && rh == height;

        SplittableRandom rnd = new SplittableRandom(options.seed());
        List<Double> losses = new ArrayList<>();
        FiniteStepGuard guard = new FiniteStepGuard(MAX_SKIPPED_FRACTION);
        long start = System.nanoTime();
        try (NDManager session = model.manager().newSubManager();
             LoraAdapter adapter = LoraAdapter.create(unet, options, session);
             AdamW opt = new AdamW(session, options.learningRate(), options.beta1(), options.beta2(),
                     options.weightDecay(), options.epsilon())) {
            adapter.attach();
            NDArray text = textStates.encode(session, prompt);
            DiagonalGaussian cached = null;
            NDArray cachedStd = null;
            if (singleCrop) {
                NDArray img = OwnedArrays.of(session, crop(resized, rw, 0, 0, width, height),
                        new Shape(1, 3, height, width));
                DiagonalGaussian p = vae.encode(img);
                cached = new DiagonalGaussian(p.mean().repeat(0, b), p.logvar().repeat(0, b));
                cachedStd = OwnedArrays.mul(cached.logvar(), 0.5).exp();
            }
            for (int step = 0; step < options.steps(); step++) {
                Cancellation.check(cancel, ProgressEvent.LORA, step);
                double loss;
                try (NDManager sm = session.newSubManager()) {
                    DiagonalGaussian post = cached;
                    NDArray std = cachedStd;
                    if (post == null) {
                        float[] batch = new float[b * 3 * width * height];
                        for (int i = 0; i < b; i++) {
                            int ox = rnd.nextInt(rw - width + 1);
                            int oy = rnd.nextInt(rh - height + 1);
                            float[] c = crop(resized, rw, ox, oy, width, height);
                            System.arraycopy(c, 0, batch, i * c.length, c.length);
                        }
                        post = vae.encode(OwnedArrays.of(sm, batch, new Shape(b, 3, height, width)));
                        std = OwnedArrays.mul(post.logvar(), 0.5).exp();
                    }
                    // z0 = sf * (mean + exp(logvar / 2) * e), e ~ N(0, I) drawn in Java; built from e so that
                    // every intermediate lands in this step's manager
                    Shape zs = post.mean().getShape();
                    NDArray e = OwnedArrays.of(sm, DiagonalGaussian.gaussian(rnd.nextLong(),
                                    Math.toIntExact(zs.size())), zs)
                            .toType(post.mean().getDataType(), false);
                    NDArray z0 = OwnedArrays.mul(e.mul(std).add(post.mean()), sf);
                    NDArray noise = OwnedArrays.of(sm, DiagonalGaussian.gaussian(rnd.nextLong(),
                                    Math.toIntExact(zs.size())), zs)
                            .toType(z0.getDataType(), false);
                    int[] ts = new int[b];
                    float[] tf = new float[b];
                    for (int i = 0; i < b; i++) {
                        ts[i] = rnd.nextInt(T);
                        tf[i] = ts[i];
                    }
                    NDArray zt = sched.addNoise(z0, noise, ts);
                    NDArray tArr = OwnedArrays.of(sm, tf);
                    List<NDArray> leaves = adapter.beginStep(sm);
                    NDArray lossArr;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray pred = unet.forward(zt, tArr, text, UNetRequest.NOISE).noise();
                        lossArr = pred.toType(DataType.FLOAT32, false).sub(noise.toType(DataType.FLOAT32, false))
                                .square().mean();
                        gc.backward(lossArr);
                    }
                    List<NDArray> grads = new ArrayList<>(leaves.size());
                    for (NDArray leaf : leaves) {
                        grads.add(leaf.getGradient());
                    }
                    loss = lossArr.getFloat();
                    if (guard.accept(step + 1, loss, grads)) {
                        opt.step(adapter.parameters(), grads);
                    } else {
                        LOG.warn("LoRA step {}/{}: non-finite loss ({}) or gradient, step skipped", step + 1,
                                options.steps(), loss);
                    }
                    adapter.endStep();
                }
                losses.add(loss);
                if (progress != null) {
                    progress.onEvent(ProgressEvent.of(ProgressEvent.LORA, step + 1, options.steps(), loss));
                }
                if ((step + 1) % 10 == 0 || step == 0 || step + 1 == options.steps()) {
                    LOG.info("LoRA step {}/{}: loss {} ({} ms/step)", step + 1, options.steps(),
                            String.format(Locale.ROOT, "%.5f", loss),
                            (System.nanoTime() - start) / 1_000_000 / (step + 1));
                }
            }
            adapter.detach();
            guard.check("LoRA training");
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(META_STEPS, Integer.toString(losses.size()));
            double finalLoss = Double.NaN;
            for (double l : losses) {
                finalLoss = Double.isFinite(l) ? l : finalLoss;
            }
            meta.put(META_FINAL_LOSS, Double.toString(finalLoss));
            StringJoiner j = new StringJoiner(",");
            losses.forEach(l -> j.add(Double.toString(l)));
            meta.put(META_LOSSES, j.toString());
            meta.put(META_OPTIONS, options.canonical());
            meta.put(META_SIZE, width + "x" + height);
            StringJoiner sk = new StringJoiner(",");
            guard.skippedSteps().forEach(s -> sk.add(Integer.toString(s)));
            meta.put(META_SKIPPED, sk.toString());
            return adapter.toWeights(meta);
        }
    }

    /** A crop of interleaved RGB floats [0, 255] as CHW in [-1, 1]. */
    static float[] crop(float[] rgb, int rw, int ox, int oy, int w, int h) {
        float[] chw = new float[3 * w * h];
        int hw = w * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int src = ((oy + y) * rw + ox + x) * 3;
                int dst = y * w + x;
                for (int c = 0; c < 3; c++) {
                    chw[c * hw + dst] = rgb[src + c] / 127.5f - 1f;
                }
            }
        }
        return chw;
    }
}
