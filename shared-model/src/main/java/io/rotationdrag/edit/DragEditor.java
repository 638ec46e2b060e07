package io.rotationdrag.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rotationdrag.diffusion.EngineOptions;
import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.diffusion.StableDiffusion;
import io.rotationdrag.diffusion.TextStates;
import io.rotationdrag.drag.UNetEvaluations;
import io.rotationdrag.lora.AttachedLora;
import io.rotationdrag.lora.LoraTrainer;
import io.rotationdrag.lora.LoraWeights;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edit facade (docs/architecture.md): the four stages LoRA, invert, drag, denoise, each runnable on its own with
 * plain serialisable artefacts in between (one stage per worker), or all at once with {@link #edit}. Keeps the model
 * warm across edits; one edit at a time per editor (the UNet's LoRA and attention hooks are per model).
 *
 * <p>Every stage validates the request with {@link EditValidator} ({@link EditValidationException} with a message
 * for the user), checks that the artefacts it is given belong to the request, reports {@link ProgressEvent}s and
 * stops between steps with {@link EditCancelledException} when the {@link Cancellation} says so. Results are
 * deterministic for the same request (seed included), model, engine build and a fixed intra-op thread count
 * ({@link EngineOptions#threads()} > 0): torch's parallel reductions sum per-thread chunks, and with the engine
 * default (0) OpenMP may run a region on fewer threads on a busy machine, which changes the last bits (observed:
 * the same edit gave different drag latents in one JVM with 2 default threads on overloaded cores; identical with 1).
 */
public final class DragEditor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DragEditor.class);

    private final StableDiffusion model;
    private final TextStates textStates;
    private final boolean ownsModel;
    private final DdimInverter inverter;
    private final Denoiser denoiser;
    private final DragStage dragStage;
    private final RegionRotateStage regionStage;

    /** An editor on a loaded model; the caller keeps ownership of the model. */
    public DragEditor(StableDiffusion model) {
        this(model, null, false);
    }

    /**
     * An editor whose stages take their text states from {@code textStates} instead of the model's text encoder:
     * for models without one (e.g. {@code TextStates.fixed(...)} on the golden tiny model) or to pin the states.
     */
    public DragEditor(StableDiffusion model, TextStates textStates) {
        this(model, textStates, false);
        if (textStates == null) {
            throw new IllegalArgumentException("textStates is required (use the one-argument constructor for the "
                    + "model's text encoder)");
        }
    }

    private DragEditor(StableDiffusion model, TextStates text, boolean owns) {
        if (model == null) {
            throw new IllegalArgumentException("a model is required");
        }
        this.model = model;
        this.textStates = text == null ? TextStates.of(model) : text;
        this.ownsModel = owns;
        this.inverter = new DdimInverter(model, textStates);
        this.denoiser = new Denoiser(model, textStates);
        this.dragStage = new DragStage(model);
        this.regionStage = new RegionRotateStage(model, inverter);
    }

    /** Loads a diffusers folder; the editor owns the model and closes it. */
    public static DragEditor open(Path modelDir, EngineOptions options) throws IOException {
        return new DragEditor(StableDiffusion.load(modelDir, options), null, true);
    }

    public StableDiffusion model() {
        return model;
    }

    /** The model's working-size multiple and native size (64 and 512 for SD 1.5). */
    public ModelGeometry geometry() {
        return ModelGeometry.of(model.unet().config(), model.vae().config());
    }

    /** Working sizes are multiples of this: VAE factor x 2^(UNet down blocks - 1) (64 for SD 1.5). */
    public int sizeMultiple() {
        return geometry().sizeMultiple();
    }

    /** Validates a request and maps it to the working size (workingSize 0 = the model's native size). */
    public PreparedEdit prepare(EditRequest r) {
        return EditValidator.prepare(r, geometry());
    }

    /** Stage 1: LoRA on the working image; null when {@code r.options().lora().enabled()} is false. */
    public LoraWeights trainLora(EditRequest r, ProgressListener p, Cancellation c) {
        PreparedEdit e = prepare(r);
        if (!e.options().lora().enabled()) {
            return null;
        }
        return new LoraTrainer(model, textStates).train(e.work(), e.prompt(), e.workWidth(), e.workHeight(),
                e.options().lora(), p, c);
    }

    /** Stage 2: DDIM inversion of the working image (with the LoRA when given). */
    public Inversion invert(EditRequest r, LoraWeights lora, ProgressListener p, Cancellation c) {
        PreparedEdit e = prepare(r);
        return inverter.invert(e.work(), e.prompt(), e.options().inversion(), lora, p, c);
    }

    /** Stage 3: the drag optimisation of the inverted latent with the request's tracker. */
    public DragOutcome drag(EditRequest r, LoraWeights lora, Inversion inv, ProgressListener p, Cancellation c) {
        return drag(r, lora, inv, p, c, null);
    }

    /**
     * Stage 3 with a per-step observer: {@code steps} (null = none) sees each step's latent, gradient, loss parts
     * and tracking records ({@link DragStepListener}).
     */
    public DragOutcome drag(EditRequest r, LoraWeights lora, Inversion inv, ProgressListener p, Cancellation c,
                            DragStepListener steps) {
        PreparedEdit e = prepare(r);
        checkInversion(e, inv);
        if (e.options().tracker().regionMethod()) {
            return regionStage.drag(e, r, inv, p, c);
        }
        InversionOptions io = e.options().inversion();
        UNetEvaluations counter = new UNetEvaluations();
        try (NDManager m = model.manager().newSubManager();
             AttachedLora l = AttachedLora.attach(model.unet(), lora, m)) {
            NDArray text = textStates.encode(m, e.prompt());
            // the rotated source is inverted exactly as the source: same encoder, schedule, strength, prompt, LoRA
            RotatedSourceFeatures.ImageInverter rotInv = (img, mm) -> {
                NDArray x0 = inverter.encodeTensor(img, mm);
                NDArray zt = inverter.invertLatent(x0, text, io, null, null);
                counter.forwards(io.actualSteps());
                return zt;
            };
            return dragStage.run(e, inv.latent(), inv.imageLatent(), inv.shape(), inv.timestep(), text, rotInv,
                    inverter::encodeTensor, counter, p, c, steps);
        }
    }

    /**
     * Stage 4: denoising of [original, optimised] with mutual self-attention control (rotate-pixels: blended latent
     * diffusion, {@link RegionRotateStage}), at the input size; then the input's own pixels are put back outside the
     * mask ({@link OutsideMaskComposite}), for every method.
     */
    public BufferedImage denoise(EditRequest r, LoraWeights lora, Inversion inv, DragOutcome d, ProgressListener p,
                                 Cancellation c) {
        PreparedEdit e = prepare(r);
        checkInversion(e, inv);
        if (d == null) {
            throw new EditValidationException("no drag outcome given to the denoise stage");
        }
        if (!Arrays.equals(d.latentShape(), inv.shape()) || d.timestep() != inv.timestep()) {
            throw new EditValidationException("the drag outcome (latent " + Arrays.toString(d.latentShape()) + " at t="
                    + d.timestep() + ") does not belong to this inversion (latent " + Arrays.toString(inv.shape())
                    + " at t=" + inv.timestep() + ")");
        }
        BufferedImage made = e.options().tracker() == TrackerKind.ROTATE_PIXELS
                ? regionStage.denoisePixels(e, r, inv, d, lora, p, c)
                : denoiser.denoise(inv, d.latent(), e.prompt(), e.options().denoise(), lora, e.inputWidth(),
                e.inputHeight(), p, c);
        return OutsideMaskComposite.compose(e.input(), made, RegionRotateStage.inputMask(r),
                OutsideMaskComposite.featherPx(e.inputWidth(), e.workWidth()));
    }

    /** All four stages in one call. */
    public EditResult edit(EditRequest r, ProgressListener p, Cancellation c) {
        return edit(r, p, c, null);
    }

    /** All four stages in one call; {@code steps} (null = none) observes each drag step ({@link DragStepListener}). */
    public EditResult edit(EditRequest r, ProgressListener p, Cancellation c, DragStepListener steps) {
        PreparedEdit e = prepare(r);
        EditOptions o = e.options();
        Map<String, Long> wall = new LinkedHashMap<>();
        Map<String, Long> fwd = new LinkedHashMap<>();
        Map<String, Long> bwd = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        LoraWeights lora = trainLora(r, p, c);
        wall.put(ProgressEvent.LORA, ms(t0));
        long loraSteps = lora == null ? 0 : o.lora().steps();
        fwd.put(ProgressEvent.LORA, loraSteps);
        bwd.put(ProgressEvent.LORA, loraSteps);

        t0 = System.nanoTime();
        Inversion inv = invert(r, lora, p, c);
        wall.put(ProgressEvent.INVERT, ms(t0));
        fwd.put(ProgressEvent.INVERT, (long) inv.actualSteps());
        bwd.put(ProgressEvent.INVERT, 0L);

        t0 = System.nanoTime();
        DragOutcome d = drag(r, lora, inv, p, c, steps);
        wall.put(ProgressEvent.DRAG, ms(t0));
        fwd.put(ProgressEvent.DRAG, d.unetForwards());
        bwd.put(ProgressEvent.DRAG, d.unetBackwards());

        t0 = System.nanoTime();
        BufferedImage out = denoise(r, lora, inv, d, p, c);
        wall.put(ProgressEvent.DENOISE, ms(t0));
        fwd.put(ProgressEvent.DENOISE, (long) inv.actualSteps());
        bwd.put(ProgressEvent.DENOISE, 0L);
        LOG.info("edit ({}) done: {} drag steps ({}), wall ms {}, UNet forwards {}, backwards {}", o.tracker().id(),
                d.steps(), d.stopReason(), wall, fwd, bwd);
        return new EditResult(out, lora, inv, d, wall, fwd, bwd);
    }

    private static void checkInversion(PreparedEdit e, Inversion inv) {
        if (inv == null) {
            throw new EditValidationException("no inversion given: run the invert stage first");
        }
        if (inv.width() != e.workWidth() || inv.height() != e.workHeight()) {
            throw new EditValidationException("the inversion is for a " + inv.width() + "x" + inv.height()
                    + " working image, this request works at " + e.workWidth() + "x" + e.workHeight());
        }
        InversionOptions io = e.options().inversion();
        if (inv.numInferenceSteps() != io.numInferenceSteps() || inv.actualSteps() != io.actualSteps()) {
            throw new EditValidationException("the inversion used " + inv.actualSteps() + " of "
                    + inv.numInferenceSteps() + " DDIM steps, the request asks for " + io.actualSteps() + " of "
                    + io.numInferenceSteps());
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Closes the model when this editor loaded it ({@link #open}); an editor on a given model leaves it open. */
    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
