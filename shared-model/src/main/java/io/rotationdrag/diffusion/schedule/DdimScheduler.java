package io.rotationdrag.diffusion.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * DDIM (eta = 0, epsilon prediction) with DragDiffusion's inversion step, and DDPM forward noising for training.
 *
 * <p>Schedule, in double precision (diffusers uses float32; the difference is below 1e-6 relative):
 * <pre>
 *   scaled_linear: beta_i = (sqrt(beta_start) + i (sqrt(beta_end) - sqrt(beta_start)) / (T-1))^2
 *   linear:        beta_i = beta_start + i (beta_end - beta_start) / (T-1)
 *   abar_t = prod_{i<=t} (1 - beta_i);   final abar = 1 if set_alpha_to_one else abar_0
 * </pre>
 * Stateless and immutable: every call names the number of inference steps {@code n}; the step ratio is
 * {@code T / n} (integer division), as in diffusers and DragDiffusion. Tensors are NDArrays (float32) and stay
 * differentiable; the coefficients are doubles.
 */
public final class DdimScheduler {

    private final DdimSchedulerConfig config;
    private final double[] betas;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;

    public DdimScheduler(DdimSchedulerConfig config) {
        this.config = config;
        int t = config.numTrainTimesteps();
        this.betas = config.trainedBetas() != null ? config.trainedBetas().clone() : computeBetas(config);
        this.alphasCumprod = new double[t];
        double prod = 1.0;
        for (int i = 0; i < t; i++) {
            if (!(betas[i] > 0 && betas[i] < 1)) {
                throw new IllegalArgumentException("beta_" + i + " = " + betas[i] + " is outside (0, 1)");
            }
            prod *= 1.0 - betas[i];
            alphasCumprod[i] = prod;
        }
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
    }

    /** Reads {@code scheduler_config.json} (the file or its {@code scheduler/} folder). */
    public static DdimScheduler load(Path schedulerConfig) {
        return new DdimScheduler(DdimSchedulerConfig.read(schedulerConfig));
    }

    /** SD 1.5 as DragDiffusion configures it. */
    public static DdimScheduler sd15() {
        return new DdimScheduler(DdimSchedulerConfig.sd15());
    }

    private static double[] computeBetas(DdimSchedulerConfig c) {
        int t = c.numTrainTimesteps();
        double[] b = new double[t];
        boolean scaled = "scaled_linear".equals(c.betaSchedule());
        double lo = scaled ? Math.sqrt(c.betaStart()) : c.betaStart();
        double hi = scaled ? Math.sqrt(c.betaEnd()) : c.betaEnd();
        for (int i = 0; i < t; i++) {
            // numpy/torch linspace: start + i * step, with the last point exactly the end
            double v = i == t - 1 ? hi : lo + i * (hi - lo) / (t - 1);
            b[i] = scaled ? v * v : v;
        }
        return b;
    }

    public DdimSchedulerConfig config() {
        return config;
    }

    public int numTrainTimesteps() {
        return config.numTrainTimesteps();
    }

    public double[] betas() {
        return betas.clone();
    }

    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** abar_t for 0 <= t < T. */
    public double alphaCumprod(int t) {
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException("timestep " + t + " outside [0, " + alphasCumprod.length + ")");
        }
        return alphasCumprod[t];
    }

    /** abar used for a timestep before the start of the chain (t &lt; 0): 1, or abar_0 when set_alpha_to_one is false. */
    public double finalAlphaCumprod() {
        return finalAlphaCumprod;
    }

    /** abar_t, or the final alpha when t &lt; 0 (the convention of both the DDIM step and the inversion step). */
    public double alphaCumprodOrFinal(int t) {
        return t >= 0 ? alphaCumprod(t) : finalAlphaCumprod;
    }

    /** T / n, the distance between consecutive inference timesteps (integer division, as diffusers). */
    public int stepRatio(int numInferenceSteps) {
        checkSteps(numInferenceSteps);
        return config.numTrainTimesteps() / numInferenceSteps;
    }

    /** The descending inference timesteps; for SD 1.5 and n = 50: 981, 961, ..., 21, 1. */
    public int[] timesteps(int numInferenceSteps) {
        checkSteps(numInferenceSteps);
        int n = numInferenceSteps;
        int total = config.numTrainTimesteps();
        int[] ts = new int[n];
        switch (config.timestepSpacing()) {
            case "leading" -> {
                int ratio = total / n;
                for (int i = 0; i < n; i++) {
                    ts[i] = (n - 1 - i) * ratio + config.stepsOffset();
                }
            }
            case "trailing" -> {
                // round(arange(T, 0, -T/n)) - 1 ; numpy rounds half to even, as Math.rint
                double ratio = (double) total / n;
                for (int i = 0; i < n; i++) {
                    ts[i] = (int) Math.rint(total - i * ratio) - 1;
                }
            }
            case "linspace" -> {
                for (int i = 0; i < n; i++) {
                    double v = n == 1 ? 0.0 : (double) (total - 1) * (n - 1 - i) / (n - 1);
                    ts[i] = (int) Math.rint(v);
                }
            }
            default -> throw new IllegalStateException("unreachable: " + config.timestepSpacing());
        }
        for (int t : ts) {
            if (t < 0 || t >= total) {
                throw new IllegalArgumentException("timestep " + t + " outside [0, " + total + ") for n = " + n
                        + " and steps_offset " + config.stepsOffset());
            }
        }
        return ts;
    }

    /**
     * The first {@code numActualSteps} timesteps of the inversion, ascending (1, 21, 41, ... for SD 1.5 and n = 50).
     * The latent after the last of them is the drag latent.
     */
    public int[] inversionTimesteps(int numInferenceSteps, int numActualSteps) {
        int[] ts = timesteps(numInferenceSteps);
        if (numActualSteps < 0 || numActualSteps > numInferenceSteps) {
            throw new IllegalArgumentException("numActualSteps " + numActualSteps + " outside [0, "
                    + numInferenceSteps + "]");
        }
        int[] asc = new int[numActualSteps];
        for (int i = 0; i < numActualSteps; i++) {
            asc[i] = ts[ts.length - 1 - i];
        }
        return asc;
    }

    /**
     * The timesteps the denoising loop visits after an inversion of {@code numActualSteps} steps
     * (DragDiffusion skips the first n - numActualSteps): starts at the drag timestep, descending.
     */
    public int[] denoisingTimesteps(int numInferenceSteps, int numActualSteps) {
        int[] ts = timesteps(numInferenceSteps);
        if (numActualSteps < 0 || numActualSteps > numInferenceSteps) {
            throw new IllegalArgumentException("numActualSteps " + numActualSteps + " outside [0, "
                    + numInferenceSteps + "]");
        }
        return Arrays.copyOfRange(ts, numInferenceSteps - numActualSteps, numInferenceSteps);
    }

    /** round(strength * n), DragDiffusion's number of inverted steps (0.75 * 50 = 37.5 -> 38, 0.7 * 50 -> 35). */
    public static int actualSteps(double inversionStrength, int numInferenceSteps) {
        if (!(inversionStrength > 0 && inversionStrength <= 1)) {
            throw new IllegalArgumentException("inversion strength must be in (0, 1], got " + inversionStrength);
        }
        // Python's int(round(x)) rounds half to even; 37.5 -> 38 either way, Math.rint matches Python exactly
        return (int) Math.rint(inversionStrength * numInferenceSteps);
    }

    /** x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), clipped to +-clip_sample_range when clip_sample. */
    public NDArray predictOriginal(NDArray sample, NDArray eps, int t) {
        return predictOriginal(sample, eps, alphaCumprod(t));
    }

    private NDArray predictOriginal(NDArray sample, NDArray eps, double alphaT) {
        NDArray x0 = OwnedArrays.div(sample.sub(OwnedArrays.mul(eps, Math.sqrt(1.0 - alphaT))), Math.sqrt(alphaT));
        if (config.clipSample()) {
            double r = config.clipSampleRange();
            x0 = x0.clip(-r, r);
        }
        return x0;
    }

    /**
     * One DDIM denoising step (eta = 0) from timestep {@code t} to {@code t - T/n}:
     * <pre>
     *   x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
     *   x_prev = sqrt(abar_prev) x0_hat + sqrt(1 - abar_prev) eps,   abar_prev = abar_{t-T/n} or the final alpha if negative
     * </pre>
     */
    public NDArray step(NDArray sample, NDArray eps, int t, int numInferenceSteps) {
        checkSameShape(sample, eps);
        int prev = t - stepRatio(numInferenceSteps);
        double alphaT = alphaCumprod(t);
        double alphaPrev = alphaCumprodOrFinal(prev);
        NDArray x0 = predictOriginal(sample, eps, alphaT);
        return OwnedArrays.mul(x0, Math.sqrt(alphaPrev)).add(OwnedArrays.mul(eps, Math.sqrt(1.0 - alphaPrev)));
    }

    /**
     * DragDiffusion's DDIM inversion step onto timestep {@code t} (eps = UNet(x, t), evaluated at the target):
     * <pre>
     *   t_cur  = min(t - T/n, T - 1);  abar_cur = abar_{t_cur}, or the final alpha (abar_0 = 0.99915 for SD) if t_cur &lt; 0
     *   x0_hat = (x - sqrt(1 - abar_cur) eps) / sqrt(abar_cur)
     *   x_t    = sqrt(abar_t) x0_hat + sqrt(1 - abar_t) eps
     * </pre>
     * No clipping, as in the reference's {@code inv_step}.
     */
    public NDArray invertStep(NDArray sample, NDArray eps, int t, int numInferenceSteps) {
        checkSameShape(sample, eps);
        int cur = Math.min(t - stepRatio(numInferenceSteps), config.numTrainTimesteps() - 1);
        double alphaCur = alphaCumprodOrFinal(cur);
        double alphaNext = alphaCumprod(t);
        NDArray x0 = OwnedArrays.div(sample.sub(OwnedArrays.mul(eps, Math.sqrt(1.0 - alphaCur))), Math.sqrt(alphaCur));
        return OwnedArrays.mul(x0, Math.sqrt(alphaNext)).add(OwnedArrays.mul(eps, Math.sqrt(1.0 - alphaNext)));
    }

    /** DDPM forward noising q(x_t | x_0): sqrt(abar_t) x0 + sqrt(1 - abar_t) noise, one timestep for the batch. */
    public NDArray addNoise(NDArray x0, NDArray noise, int t) {
        checkSameShape(x0, noise);
        double a = alphaCumprod(t);
        return OwnedArrays.mul(x0, Math.sqrt(a)).add(OwnedArrays.mul(noise, Math.sqrt(1.0 - a)));
    }

    /** DDPM forward noising with one timestep per batch element (dimension 0), as in LoRA training. */
    public NDArray addNoise(NDArray x0, NDArray noise, int[] timesteps) {
        checkSameShape(x0, noise);
        Shape shape = x0.getShape();
        if (shape.dimension() < 1 || shape.get(0) != timesteps.length) {
            throw new IllegalArgumentException("batch size " + (shape.dimension() < 1 ? 0 : shape.get(0))
                    + " does not match " + timesteps.length + " timesteps");
        }
        float[] signal = new float[timesteps.length];
        float[] noiseScale = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            double a = alphaCumprod(timesteps[i]);
            signal[i] = (float) Math.sqrt(a);
            noiseScale[i] = (float) Math.sqrt(1.0 - a);
        }
        long[] bshape = new long[shape.dimension()];
        Arrays.fill(bshape, 1L);
        bshape[0] = timesteps.length;
        NDManager m = x0.getManager();
        NDArray s = OwnedArrays.of(m, signal, new Shape(bshape), x0.getDataType());
        NDArray k = OwnedArrays.of(m, noiseScale, new Shape(bshape), x0.getDataType());
        return x0.mul(s).add(noise.mul(k));
    }

    private void checkSteps(int n) {
        if (n < 1 || n > config.numTrainTimesteps()) {
            throw new IllegalArgumentException("number of inference steps " + n + " outside [1, "
                    + config.numTrainTimesteps() + "]");
        }
    }

    private static void checkSameShape(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException("shape mismatch: sample " + a.getShape() + " vs noise " + b.getShape());
        }
        if (a.getDataType() != b.getDataType() && a.getDataType() != DataType.UNKNOWN) {
            throw new IllegalArgumentException("dtype mismatch: " + a.getDataType() + " vs " + b.getDataType());
        }
    }
}
