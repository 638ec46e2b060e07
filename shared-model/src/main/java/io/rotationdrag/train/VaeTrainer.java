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
 */
public final class VaeTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(VaeTrainer.class);

    /** Settings: steps, batch, peak learning rate, linear warm-up steps, KL weight, wall-clock cap. */
    public record Settings(int steps, int batch, double lr, int warmup, double klWeight, double maxMinutes,
                           int logEvery, int checkpointEvery) {
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
        Map<String, NDArray> params = new LinkedHashMap<>();
        ae.parameters().params().forEach(p -> params.put(p.name(), p.get()));
        ae.parameters().setRequiresGradient(true);
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
                        reconArr = diff.abs().mean().add(diff.square().mean());
                        NDArray kl = OwnedArrays.mul(mean.square().add(logvar.exp()).sub(1f).sub(logvar), 0.5f).mean();
                        lossArr = reconArr.add(OwnedArrays.mul(kl, s.klWeight())); // a float32 scalar: no float64
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
