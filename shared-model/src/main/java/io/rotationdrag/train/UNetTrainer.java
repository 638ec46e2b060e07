package io.rotationdrag.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.optim.AdamW;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the conditional UNet with the epsilon objective of DDPM (the LoRA loop's objective):
 * <pre>
 *   z0 = scaling_factor * (mean + std * n'),  t ~ U{0..T-1},  n ~ N(0, I)
 *   z_t = sqrt(abar_t) z0 + sqrt(1 - abar_t) n
 *   loss = mean (UNet(z_t, t, text) - n)^2
 * </pre>
 * The prompt is replaced by the empty prompt with probability {@code uncondProb}, so classifier-free guidance
 * can be used at sampling time.
 */
public final class UNetTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(UNetTrainer.class);

    /**
     * {@code lrFinal}: the learning rate at the end of the run; between warmup and the end it follows a cosine,
     * {@code lr(p) = lrFinal + (lr - lrFinal) (1 + cos(pi p)) / 2}, where p is the fraction of the run done (of the
     * step cap or the wall-clock cap, whichever is nearer). {@code lrFinal == lr} is a constant rate.
     */
    public record Settings(int steps, int batch, double lr, double lrFinal, int warmup, double uncondProb,
                           double maxMinutes, int logEvery, int checkpointEvery, long seed) {
    }

    /** The rate at {@code step} (1-based) after {@code progress} in [0, 1] of the run; see {@link Settings}. */
    static double learningRate(Settings s, int step, double progress) {
        double p = Math.max(0.0, Math.min(1.0, progress));
        double cosine = s.lrFinal() + (s.lr() - s.lrFinal()) * 0.5 * (1.0 + Math.cos(Math.PI * p));
        return cosine * Math.min(1.0, step / (double) Math.max(1, s.warmup()));
    }

    public record Result(int steps, double finalLoss, double seconds) {
    }

    private UNetTrainer() {
    }

    public static Result train(NDManager manager, TrainableDenoiser unet, PromptEncoder text, DdimScheduler sched,
                               LatentDataset data, double scalingFactor, Settings s, LossCurve curve,
                               IntConsumer onCheckpoint) {
        io.rotationdrag.diffusion.nn.KernelSelfCheck.ensure();
        Map<String, float[]> textStates = encodePrompts(manager, text, data.prompts());
        long[] textShape;
        try (NDManager sub = manager.newSubManager()) {
            textShape = text.encode(List.of(""), sub).getShape().getShape();
        }
        int textLen = (int) (textShape[1] * textShape[2]);
        Map<String, NDArray> params = new LinkedHashMap<>();
        unet.parameters().params().forEach(p -> params.put(p.name(), p.get()));
        unet.parameters().setRequiresGradient(true);
        SplittableRandom rnd = new SplittableRandom(s.seed());
        long[] ls = data.latentShape();
        int T = sched.numTrainTimesteps();
        long start = System.nanoTime();
        int step = 0;
        try (AdamW opt = new AdamW(manager, s.lr(), 0.9, 0.999, 1e-2, 1e-8, 1.0)) {
            while (step < s.steps()) {
                if (VaeTrainer.minutes(start) > s.maxMinutes()) {
                    LOG.info("unet: wall-clock cap of {} min reached at step {}", s.maxMinutes(), step);
                    break;
                }
                int b = s.batch();
                int[] items = new int[b];
                int[] ts = new int[b];
                float[] ctx = new float[b * textLen];
                for (int i = 0; i < b; i++) {
                    items[i] = rnd.nextInt(data.size());
                    ts[i] = rnd.nextInt(T);
                    String prompt = rnd.nextDouble() < s.uncondProb() ? "" : data.prompts().get(items[i]);
                    System.arraycopy(textStates.get(prompt), 0, ctx, i * textLen, textLen);
                }
                float[] z = data.sample(items, rnd);
                double loss;
                try (NDManager sub = manager.newSubManager()) {
                    NDArray zBatch = OwnedArrays.of(sub, z, new Shape(b, ls[0], ls[1], ls[2]));
                    NDArray z0 = OwnedArrays.mul(zBatch, scalingFactor);
                    NDArray noise = sub.randomNormal(z0.getShape());
                    NDArray zt = sched.addNoise(z0, noise, ts);
                    NDArray c = OwnedArrays.of(sub, ctx, new Shape(b, textShape[1], textShape[2]));
                    NDArray lossArr;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        lossArr = unet.predictNoise(zt, ts, c).sub(noise).square().mean();
                        gc.backward(lossArr);
                    }
                    loss = lossArr.getFloat();
                }
                step++;
                double progress = Math.max(step / (double) s.steps(), VaeTrainer.minutes(start) / s.maxMinutes());
                double lrNow = learningRate(s, step, progress);
                opt.stepOnGradients(params.values(), lrNow);
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("unet: loss is " + loss + " at step " + step);
                }
                curve.add(step, loss);
                if (step % s.logEvery() == 0 || step == 1) {
                    LOG.info("unet step {}/{}: loss {} (mean of last 100: {}), grad norm {}, lr {}, {} s/step",
                            step, s.steps(), VaeTrainer.fmt(loss), VaeTrainer.fmt(curve.recentMean()),
                            VaeTrainer.fmt(opt.lastGradNorm()), VaeTrainer.fmt(lrNow),
                            VaeTrainer.fmt(VaeTrainer.seconds(start) / step));
                }
                if (step % s.checkpointEvery() == 0) {
                    onCheckpoint.accept(step);
                }
            }
        }
        unet.parameters().setRequiresGradient(false);
        onCheckpoint.accept(step);
        return new Result(step, curve.recentMean(), VaeTrainer.seconds(start));
    }

    /** Text states of every distinct prompt (and the empty prompt), computed once with the frozen encoder. */
    static Map<String, float[]> encodePrompts(NDManager manager, PromptEncoder text, List<String> prompts) {
        Map<String, float[]> out = new HashMap<>();
        java.util.LinkedHashSet<String> distinct = new java.util.LinkedHashSet<>(prompts);
        distinct.add("");
        List<String> all = List.copyOf(distinct);
        for (int i = 0; i < all.size(); i += 64) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + 64));
            try (NDManager sub = manager.newSubManager()) {
                NDArray st = text.encode(chunk, sub);
                long per = st.getShape().get(1) * st.getShape().get(2);
                float[] f = st.toFloatArray();
                for (int k = 0; k < chunk.size(); k++) {
                    float[] one = new float[(int) per];
                    System.arraycopy(f, (int) (k * per), one, 0, (int) per);
                    out.put(chunk.get(k), one);
                }
            }
        }
        LOG.info("text states for {} distinct prompts", out.size());
        return out;
    }
}
