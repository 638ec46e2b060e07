package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import java.util.Arrays;
import java.util.List;

/**
 * Text-to-image sampling from pure noise (DDIM, eta 0) with optional classifier-free guidance
 * eps = eps_u + g (eps_c - eps_u); decodes latents / scaling_factor with the VAE. Used to check what the trained
 * model has learned.
 */
public final class DdimSampler {

    private DdimSampler() {
    }

    /** Images in [-1, 1], B x 3 x H x W, for {@code prompts}, starting from N(0, I) latents drawn with {@code seed}. */
    public static NDArray sample(NDManager m, TrainableDenoiser unet, TrainableAutoencoder vae, PromptEncoder text,
                                 DdimScheduler sched, double scalingFactor, long[] latentShape, List<String> prompts,
                                 int steps, double guidance, long seed) {
        int b = prompts.size();
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        NDArray x = m.randomNormal(new Shape(b, latentShape[0], latentShape[1], latentShape[2]));
        NDArray cond = text.encode(prompts, m);
        NDArray uncond = text.encode(java.util.Collections.nCopies(b, ""), m);
        for (int t : sched.timesteps(steps)) {
            try (NDManager sub = m.newSubManager()) {
                x.attach(sub);                  // the previous latent is freed with this step
                int[] ts = new int[b];
                Arrays.fill(ts, t);
                NDArray eps;
                if (guidance == 1.0) {
                    eps = unet.predictNoise(x, ts, cond);
                } else {
                    int[] ts2 = new int[2 * b];
                    Arrays.fill(ts2, t);
                    NDArray both = unet.predictNoise(NDArrays.concat(new ai.djl.ndarray.NDList(x, x)), ts2,
                            NDArrays.concat(new ai.djl.ndarray.NDList(uncond, cond)));
                    NDArray eu = both.get("0:" + b), ec = both.get(b + ":");
                    eps = eu.add(OwnedArrays.mul(ec.sub(eu), (float) guidance));
                }
                NDArray next = sched.step(x, eps, t, steps);
                next.attach(m);
                x = next;
            }
        }
        return vae.decode(OwnedArrays.div(x, (float) scalingFactor));
    }
}
