package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TextStates;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import io.rotationdrag.diffusion.schedule.DdimScheduler;
import io.rotationdrag.diffusion.unet.UNet2DConditionModel;
import io.rotationdrag.lora.AttachedLora;
import io.rotationdrag.lora.LoraWeights;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final denoising (method.md stage 4): from the inversion timestep t down to 0 with DDIM (eta 0, guidance 1),
 * visiting the last n_actual timesteps of the n-step schedule ({@link DdimScheduler#denoisingTimesteps}), on the
 * batch [original inverted latent, optimised latent] with {@link MutualSelfAttentionControl} from the
 * {@link DenoiseOptions}; the edited item is decoded with the VAE (latent / scaling_factor), mapped to [0, 255] and
 * resized (bilinear, on the float image, as the reference's {@code F.interpolate}) to the input size.
 *
 * <p>With {@code mutualSelfAttention == false} the optimised latent is denoised alone. Every step's arrays live in a
 * sub-manager closed at the end of the step.
 */
public final class Denoiser {
    private static final Logger LOG = LoggerFactory.getLogger(Denoiser.class);

    private final StableDiffusion model;
    private final TextStates textStates;

    public Denoiser(StableDiffusion model) {
        this(model, TextStates.of(model));
    }

    /** @param textStates where the prompt's text states come from (the model's encoder or given states) */
    public Denoiser(StableDiffusion model, TextStates textStates) {
        this.model = model;
        this.textStates = textStates;
    }

    /**
     * The whole denoise stage.
     *
     * @param inv          the invert stage's artefact (original branch, t, schedule)
     * @param edited       the optimised latent z_t (same shape as {@code inv.shape()}), row-major
     * @param prompt       text conditioning
     * @param lora         LoRA to apply, or null to use the UNet as it is
     * @param outWidth     width of the returned image (the input image's)
     * @param outHeight    height of the returned image
     */
    public BufferedImage denoise(Inversion inv, float[] edited, String prompt, DenoiseOptions o, LoraWeights lora,
                                 int outWidth, int outHeight, ProgressListener progress, Cancellation cancel) {
        if (edited.length != inv.latent().length) {
            throw new IllegalArgumentException("edited latent has " + edited.length + " values, the inversion "
                    + Arrays.toString(inv.shape()) + " has " + inv.latent().length);
        }
        try (NDManager m = model.manager().newSubManager();
             AttachedLora l = AttachedLora.attach(model.unet(), lora, m)) {
            NDArray text = textStates.encode(m, prompt);
            NDArray original = inv.latent(m);
            NDArray z = OwnedArrays.of(m, edited, new Shape(inv.shape()));
            int[] ts = model.scheduler().denoisingTimesteps(inv.numInferenceSteps(), inv.actualSteps());
            if (ts[0] != inv.timestep()) {
                throw new IllegalArgumentException("inversion timestep " + inv.timestep() + " does not start the "
                        + "denoising schedule (" + ts[0] + ") of this model's scheduler");
            }
            NDArray out = denoiseLatents(original, z, text, ts, inv.numInferenceSteps(), o, progress, cancel);
            NDArray last = out.get(out.getShape().get(0) - 1 + ":");
            return decode(last, outWidth, outHeight);
        }
    }

    /**
     * The DDIM loop. With the control on, the batch is [original; edited] and the result [2, ...]; with it off only
     * the edited latent is denoised and the result is [1, ...]. Returned in {@code edited}'s manager.
     *
     * @param timesteps descending timesteps starting at t (from {@link DdimScheduler#denoisingTimesteps})
     * @param n         the schedule length (for the step ratio T/n)
     */
    public NDArray denoiseLatents(NDArray original, NDArray edited, NDArray text, int[] timesteps, int n,
                                  DenoiseOptions o, ProgressListener progress, Cancellation cancel) {
        UNet2DConditionModel unet = model.unet();
        DdimScheduler sched = model.scheduler();
        NDManager outer = edited.getManager();
        boolean mutual = o.mutualSelfAttention();
        NDArray x = mutual ? original.concat(edited, 0) : edited.duplicate();
        if (x.getDataType() != DataType.FLOAT32) {
            NDArray f = x.toType(DataType.FLOAT32, false);
            x.close();
            x = f;
        }
        MutualSelfAttentionControl control = MutualSelfAttentionControl.of(o,
                MutualSelfAttentionControl.selfAttentionLayers(unet));
        long start = System.nanoTime();
        try (MutualSelfAttentionControl.Installed ignored = mutual ? control.install(unet) : () -> { }) {
            for (int i = 0; i < timesteps.length; i++) {
                Cancellation.check(cancel, ProgressEvent.DENOISE, i);
                control.setStep(i);
                try (NDManager step = outer.newSubManager()) {
                    NDArray cur = x;
                    cur.attach(step);
                    NDArray eps = unet.predictNoise(cur, timesteps[i], text).toType(DataType.FLOAT32, false);
                    NDArray next = sched.step(cur, eps, timesteps[i], n);
                    next.attach(outer);
                    x = next;
                }
                if (progress != null) {
                    progress.onEvent(ProgressEvent.of(ProgressEvent.DENOISE, i + 1, timesteps.length, null));
                }
            }
        }
        LOG.debug("denoising: {} steps from t={} (mutual self-attention {}, start step {}, start layer {}) in {} ms",
                timesteps.length, timesteps.length == 0 ? -1 : timesteps[0], mutual, control.startStep(),
                control.startLayer(), (System.nanoTime() - start) / 1_000_000);
        return x;
    }

    /**
     * Decodes one scaled latent [1, 4, h, w]: image = VAE.decode(z / scaling_factor), (x + 1) / 2 clamped to [0, 1],
     * bilinearly resized (float) to {@code outWidth x outHeight}, rounded to 8-bit RGB.
     */
    public BufferedImage decode(NDArray latent, int outWidth, int outHeight) {
        try (NDManager scope = latent.getManager().newSubManager()) {
            NDArray z = latent.duplicate();
            z.attach(scope);
            NDArray img = model.vae().decode(OwnedArrays.div(z, model.vae().scalingFactor()));
            return ImageOps.fromTensor(img, outWidth, outHeight);
        }
    }
}
