package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TextStates;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.lora.AttachedLora;
import io.rotationdrag.lora.LoraWeights;
import java.awt.image.BufferedImage;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DDIM inversion of an image (method.md stage 2, DragDiffusion's {@code invert}): the image latent
 * x0 = scaling_factor * VAE mean is pushed up the 50-step DDIM schedule for n_actual = round(strength * 50) steps,
 * guidance 1 (one conditional UNet pass per step). With the ascending timesteps t_1 = 1, 21, ..., t_{n_actual}:
 * <pre>
 *   eps     = UNet(x, t_i, text)
 *   x0_hat  = (x - sqrt(1 - abar_cur) eps) / sqrt(abar_cur),     cur = t_i - T/n  (final alpha when negative)
 *   x       = sqrt(abar_{t_i}) x0_hat + sqrt(1 - abar_{t_i}) eps
 * </pre>
 * ({@link DdimScheduler#invertStep}). The result is the latent at t = t_{n_actual} (741 for strength 0.75).
 *
 * <p>The UNet runs as it is configured (a LoRA attached by the caller applies), or with the LoRA given to
 * {@link #invert}. No gradient is recorded when called outside a GradientCollector; every step's arrays live in a
 * sub-manager closed at the end of the step.
 */
public final class DdimInverter {
    private static final Logger LOG = LoggerFactory.getLogger(DdimInverter.class);

    private final StableDiffusion model;
    private final TextStates textStates;

    public DdimInverter(StableDiffusion model) {
        this(model, TextStates.of(model));
    }

    /** @param textStates where the prompt's text states come from (the model's encoder or given states) */
    public DdimInverter(StableDiffusion model, TextStates textStates) {
        this.model = model;
        this.textStates = textStates;
    }

    /** t, the timestep of the inverted latent: the n_actual-th inversion timestep (741 for 50 steps, 0.75). */
    public int timestep(InversionOptions o) {
        int[] ts = model.scheduler().inversionTimesteps(o.numInferenceSteps(), o.actualSteps());
        return ts[ts.length - 1];
    }

    /**
     * The whole invert stage on a working-size image.
     *
     * @param workImage the image at the working size (width and height multiples of the UNet's input multiple)
     * @param prompt    text conditioning ("" allowed)
     * @param lora      LoRA to apply during the inversion, or null to use the UNet as it is
     */
    public Inversion invert(BufferedImage workImage, String prompt, InversionOptions o, LoraWeights lora,
                            ProgressListener progress, Cancellation cancel) {
        try (NDManager m = model.manager().newSubManager();
             AttachedLora l = AttachedLora.attach(model.unet(), lora, m)) {
            NDArray text = textStates.encode(m, prompt);
            NDArray x0 = encode(workImage, m);
            NDArray zt = invertLatent(x0, text, o, progress, cancel);
            int t = timestep(o);
            return Inversion.of(zt, x0, t, o.numInferenceSteps(), o.actualSteps(), workImage.getWidth(),
                    workImage.getHeight(), Map.of(ARTEFACT_PROMPT_HASH, ImageOps.sha256(prompt == null ? "" : prompt),
                            ARTEFACT_LORA, Boolean.toString(AttachedLora.hasDeltas(model.unet()))));
        }
    }

    /** Metadata key: SHA-256 of the prompt the inversion was conditioned on. */
    public static final String ARTEFACT_PROMPT_HASH = "prompt_sha256";
    /** Metadata key: whether a LoRA was active during the inversion. */
    public static final String ARTEFACT_LORA = "lora";

    /**
     * x0 = scaling_factor * mean of the VAE posterior (DragDiffusion's {@code image2latent}), [1, 4, H/8, W/8]
     * in {@code m}.
     */
    public NDArray encode(BufferedImage image, NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            return encodeTensor(ImageOps.toTensor(image, scope), m);
        }
    }

    /** {@link #encode} of an image tensor [1, 3, H, W] in [-1, 1] (e.g. a rotated source with an exact fill). */
    public NDArray encodeTensor(NDArray image, NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            NDArray img = image;
            NDArray mean = model.vae().encode(img).mean();
            NDArray x0 = OwnedArrays.mul(mean, model.vae().scalingFactor())
                    .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            x0.attach(m);
            return x0;
        }
    }

    /**
     * Inverts a latent for {@code o.actualSteps()} steps. Returns a float32 array in {@code x0}'s manager.
     *
     * @param x0   scaled image latent [B, 4, h, w]
     * @param text text states [B or 1, 77, C]
     */
    public NDArray invertLatent(NDArray x0, NDArray text, InversionOptions o, ProgressListener progress,
                                Cancellation cancel) {
        UNet2DConditionModel unet = model.unet();
        DdimScheduler sched = model.scheduler();
        int n = o.numInferenceSteps();
        int[] ts = sched.inversionTimesteps(n, o.actualSteps());
        NDManager outer = x0.getManager();
        NDArray x = x0.duplicate();
        long start = System.nanoTime();
        for (int i = 0; i < ts.length; i++) {
            Cancellation.check(cancel, ProgressEvent.INVERT, i);
            try (NDManager step = outer.newSubManager()) {
                NDArray cur = x;
                cur.attach(step); // the previous latent dies with this step
                NDArray eps = unet.predictNoise(cur, ts[i], text);
                NDArray next = sched.invertStep(cur, eps.toType(cur.getDataType(), false), ts[i], n);
                next.attach(outer);
                x = next;
            }
            if (progress != null) {
                progress.onEvent(ProgressEvent.of(ProgressEvent.INVERT, i + 1, ts.length, null));
            }
        }
        LOG.debug("DDIM inversion: {} steps to t={} in {} ms", ts.length, ts.length == 0 ? 0 : ts[ts.length - 1],
                (System.nanoTime() - start) / 1_000_000);
        return x;
    }
}
