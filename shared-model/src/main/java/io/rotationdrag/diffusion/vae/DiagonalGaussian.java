package io.rotationdrag.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.util.SplittableRandom;

/**
 * The VAE posterior N(mean, exp(logvar)) with logvar clamped to [-30, 20] (diffusers DiagonalGaussianDistribution).
 * Arrays live in the manager of the encoder input.
 */
public record DiagonalGaussian(NDArray mean, NDArray logvar) {

    /** mode() = mean. */
    public NDArray mode() {
        return mean;
    }

    /**
     * sample() = mean + exp(logvar / 2) * eps with eps ~ N(0, I) from a Java generator seeded with {@code seed}
     * (deterministic per seed and independent of global engine state; not torch's generator stream).
     */
    public NDArray sample(long seed) {
        Shape s = mean.getShape();
        float[] eps = gaussian(seed, Math.toIntExact(s.size()));
        NDArray e = OwnedArrays.of(mean.getManager(), eps, s, mean.getDataType());
        return mean.add(OwnedArrays.mul(logvar, 0.5).exp().mul(e));
    }

    /** n standard normal floats from a seeded SplittableRandom (Box-Muller). */
    public static float[] gaussian(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1 - r.nextDouble();
            double u2 = r.nextDouble();
            double rad = Math.sqrt(-2 * Math.log(u1));
            out[i] = (float) (rad * Math.cos(2 * Math.PI * u2));
            if (i + 1 < n) {
                out[i + 1] = (float) (rad * Math.sin(2 * Math.PI * u2));
            }
        }
        return out;
    }
}
