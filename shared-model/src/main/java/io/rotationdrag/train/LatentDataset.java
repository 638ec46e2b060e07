package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenes encoded once by the trained (frozen) VAE: the posterior mean and std of every scene's latent, with its
 * prompt, so UNet training samples z = mean + std * n without running the encoder each step.
 */
public final class LatentDataset {

    private static final Logger LOG = LoggerFactory.getLogger(LatentDataset.class);

    private final float[] mean;
    private final float[] std;
    private final List<String> prompts;
    private final long[] latentShape;   // C, h, w

    private LatentDataset(float[] mean, float[] std, List<String> prompts, long[] latentShape) {
        this.mean = mean;
        this.std = std;
        this.prompts = prompts;
        this.latentShape = latentShape;
    }

    /** Encodes {@code count} scenes from {@code data} in batches of {@code batch}. */
    public static LatentDataset encode(NDManager manager, TrainableAutoencoder ae, SceneDataset data, int count,
                                       int batch) {
        List<float[]> means = new ArrayList<>();
        List<float[]> stds = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        long[] shape = null;
        long start = System.nanoTime();
        for (int done = 0; done < count; done += batch) {
            int n = Math.min(batch, count - done);
            SceneDataset.Batch b = data.next(n);
            try (NDManager sub = manager.newSubManager()) {
                NDArray x = OwnedArrays.of(sub, b.pixels(), new Shape(b.shape()));
                NDArray[] mom = ae.encodeMoments(x);
                shape = new long[]{mom[0].getShape().get(1), mom[0].getShape().get(2), mom[0].getShape().get(3)};
                means.add(mom[0].toFloatArray());
                stds.add(OwnedArrays.mul(mom[1].clip(-30, 20), 0.5f).exp().toFloatArray());
            }
            prompts.addAll(b.prompts());
            if ((done / batch) % 50 == 0) {
                LOG.info("latents: {}/{} scenes encoded, {} s", done + n, count,
                        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
            }
        }
        return new LatentDataset(concat(means), concat(stds), prompts, shape);
    }

    private static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    public int size() {
        return prompts.size();
    }

    public long[] latentShape() {
        return latentShape.clone();
    }

    public List<String> prompts() {
        return prompts;
    }

    private int perItem() {
        return (int) (latentShape[0] * latentShape[1] * latentShape[2]);
    }

    /** Posterior samples (unscaled) of the given items: mean + std * n, with n from {@code rnd}. */
    public float[] sample(int[] items, SplittableRandom rnd) {
        int k = perItem();
        float[] out = new float[items.length * k];
        for (int i = 0; i < items.length; i++) {
            int o = items[i] * k;
            for (int j = 0; j < k; j++) {
                out[i * k + j] = (float) (mean[o + j] + std[o + j] * gauss(rnd));
            }
        }
        return out;
    }

    /**
     * The VAE scaling factor as diffusers derives it: 1 / std of posterior-sampled latents over the dataset
     * (one sample per scene), so scaled latents have unit variance.
     */
    public double scalingFactor(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int k = perItem();
        double s = 0, s2 = 0;
        long n = 0;
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < k; j++) {
                double z = mean[i * k + j] + std[i * k + j] * gauss(rnd);
                s += z;
                s2 += z * z;
                n++;
            }
        }
        double m = s / n, var = s2 / n - m * m;
        return 1.0 / Math.sqrt(var);
    }

    static double gauss(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
