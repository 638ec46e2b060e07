package io.rotationdrag.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.optim.AdamW;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the AutoencoderKL on rendered scenes:
 * <pre>
 *   z = mean + exp(logvar / 2) * n,  n ~ N(0, I)   (reparameterised posterior sample)
 *   loss = mean|x - D(z)| + mean (x - D(z))^2 + klWeight * mean 0.5 (mean^2 + exp(logvar) - 1 - logvar)
 * </pre>
 * logvar clamped to [-30, 20] as diffusers' DiagonalGaussianDistribution does.
 *
 * <p>Decoder-only fine-tuning ({@link Settings#decoderOnly()}, as Stable Diffusion's ft-MSE decoder was made):
 * the encoder and quant_conv stay frozen, so every latent (and the UNet trained on them) stays valid; the KL term
 * has no path to the decoder and is dropped. A detail weight puts more of the loss on pixels that differ from
 * their 3x3 neighbourhood (edges and thin parts, which an image-mean loss lets the decoder blur):
 * <pre>
 *   w = 1 + detailWeight * [max_c |x_c - box3x3(x_c)| > DETAIL_THRESHOLD],   recon = sum w (|d| + d^2) / sum w
 * </pre>
 * (w = 1 everywhere at detailWeight 0: the plain loss above).
 */
public final class VaeTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(VaeTrainer.class);

    /** Local contrast (pixel units in [-1, 1]) above which a pixel is detail. */
    static final float DETAIL_THRESHOLD = 0.04f;

    /**
     * Settings: steps, batch, peak learning rate, linear warm-up steps, KL weight, wall-clock cap; whether only the
     * decoder trains, and the extra loss weight on detail pixels (0 = none).
     */
    public record Settings(int steps, int batch, double lr, int warmup, double klWeight, double maxMinutes,
                           int logEvery, int checkpointEvery, boolean decoderOnly, double detailWeight) {

        /** Whole-autoencoder training with the plain loss. */
        public Settings(int steps, int batch, double lr, int warmup, double klWeight, double maxMinutes,
                        int logEvery, int checkpointEvery) {
            this(steps, batch, lr, warmup, klWeight, maxMinutes, logEvery, checkpointEvery, false, 0);
        }
    }

    /** Result: steps done, last running-mean loss, seconds. */
    public record Result(int steps, double finalLoss, double finalRecon, double seconds) {
    }

    private VaeTrainer() {
    }

    /**
     * @param onCheckpoint called with the step count every {@code checkpointEvery} steps and at the end
     */
    public static Result train(NDManager manager, TrainableAutoencoder ae, SceneDataset data, Settings s,
                               LossCurve curve, IntConsumer onCheckpoint) {
        io.rotationdrag.diffusion.nn.KernelSelfCheck.ensure();
        Map<String, NDArray> params = new LinkedHashMap<>();
        ae.parameters().params().stream().filter(p -> !s.decoderOnly() || isDecoder(p.name()))
                .forEach(p -> params.put(p.name(), p.get()));
        if (params.isEmpty()) {
            throw new IllegalArgumentException("vae: no trainable parameters (decoderOnly " + s.decoderOnly() + ")");
        }
        ae.parameters().setRequiresGradient(false);
        params.values().forEach(p -> p.setRequiresGradient(true));
        long start = System.nanoTime();
        double recon = Double.NaN;
        int step = 0;
        LossCurve reconCurve = new LossCurve("recon", 50);
        try (AdamW opt = new AdamW(manager, s.lr(), 0.9, 0.999, 1e-2, 1e-8, 1.0)) {
            while (step < s.steps()) {
                if (minutes(start) > s.maxMinutes()) {
                    LOG.info("vae: wall-clock cap of {} min reached at step {}", s.maxMinutes(), step);
                    break;
                }
                SceneDataset.Batch b = data.next(s.batch());
                double loss;
                try (NDManager sub = manager.newSubManager()) {
                    NDArray x = OwnedArrays.of(sub, b.pixels(), new Shape(b.shape()));
                    NDArray lossArr;
                    NDArray reconArr;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray[] mom = ae.encodeMoments(x);
                        NDArray mean = mom[0];
                        NDArray logvar = mom[1].clip(-30, 20);
                        NDArray std = OwnedArrays.mul(logvar, 0.5).exp();
                        NDArray z = mean.add(std.mul(sub.randomNormal(mean.getShape())));
                        NDArray diff = x.sub(ae.decode(z));
                        NDArray perPixel = diff.abs().add(diff.square());
                        reconArr = perPixel.mean();
                        if (s.detailWeight() > 0) {
                            NDArray w = OwnedArrays.of(sub, detailWeights(b.pixels(), b.batchSize(), b.size(),
                                    (float) s.detailWeight()), new Shape(b.batchSize(), 1, b.size(), b.size()));
                            // sum w (|d| + d^2) / (3 sum w): the plain per-element mean when w = 1
                            lossArr = perPixel.mul(w).sum().div(OwnedArrays.mul(w.sum(), 3.0));
                        } else {
                            lossArr = reconArr;
                        }
                        if (!s.decoderOnly()) {
                            NDArray kl = OwnedArrays.mul(mean.square().add(logvar.exp()).sub(1f).sub(logvar), 0.5f)
                                    .mean();
                            lossArr = lossArr.add(OwnedArrays.mul(kl, s.klWeight())); // a float32 scalar: no float64
                        }
                        gc.backward(lossArr);
                    }
                    loss = lossArr.getFloat();
                    recon = reconArr.getFloat();
                }
                step++;
                double lrNow = s.lr() * Math.min(1.0, step / (double) Math.max(1, s.warmup()));
                opt.stepOnGradients(params.values(), lrNow);
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("vae: loss is " + loss + " at step " + step);
                }
                curve.add(step, loss);
                reconCurve.add(step, recon);
                if (step % s.logEvery() == 0 || step == 1) {
                    LOG.info("vae step {}/{}: loss {} (mean of last {}: {}), recon {}, grad norm {}, lr {}, {} s/step",
                            step, s.steps(), fmt(loss), 50, fmt(curve.recentMean()), fmt(reconCurve.recentMean()),
                            fmt(opt.lastGradNorm()), fmt(lrNow), fmt(seconds(start) / step));
                }
                if (step % s.checkpointEvery() == 0) {
                    onCheckpoint.accept(step);
                }
            }
        }
        ae.parameters().setRequiresGradient(false);
        onCheckpoint.accept(step);
        return new Result(step, curve.recentMean(), reconCurve.recentMean(), seconds(start));
    }

    /** diffusers' AutoencoderKL names: decoder.* and post_quant_conv.* map latents to pixels. */
    static boolean isDecoder(String name) {
        return name.startsWith("decoder.") || name.startsWith("post_quant_conv.");
    }

    /**
     * Per-pixel weights (B x H x W, channel planes of {@code pixels} in CHW order): 1 + weight where the largest
     * channel difference from the 3x3 box mean (clamped at the border) exceeds {@link #DETAIL_THRESHOLD}.
     */
    static float[] detailWeights(float[] pixels, int batch, int size, float weight) {
        int plane = size * size;
        float[] w = new float[batch * plane];
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float contrast = 0;
                    for (int c = 0; c < 3; c++) {
                        int base = (b * 3 + c) * plane;
                        float sum = 0;
                        for (int dy = -1; dy <= 1; dy++) {
                            int yy = Math.min(size - 1, Math.max(0, y + dy));
                            for (int dx = -1; dx <= 1; dx++) {
                                int xx = Math.min(size - 1, Math.max(0, x + dx));
                                sum += pixels[base + yy * size + xx];
                            }
                        }
                        contrast = Math.max(contrast, Math.abs(pixels[base + y * size + x] - sum / 9f));
                    }
                    w[b * plane + y * size + x] = 1f + (contrast > DETAIL_THRESHOLD ? weight : 0f);
                }
            }
        }
        return w;
    }

    static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static double minutes(long start) {
        return seconds(start) / 60;
    }

    static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
