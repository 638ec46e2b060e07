package io.rotationdrag.edit;

import io.rotationdrag.lora.LoraOptions;

/**
 * Everything that shapes one edit. {@link #defaults()} are the RotationDrag reference UI's values (method.md), with the
 * tracker {@link TrackerKind#ROTATIONDRAG_CACHED}; {@link #dragDiffusion()} and {@link #paper()} give the other two
 * published sets. Where they differ:
 * <pre>
 *                    defaults (UI)   dragDiffusion()   paper()
 *   LoRA steps            60              80              60
 *   inversion strength    0.75            0.7             0.75
 *   drag max steps        80              80              160
 *   mask term          when drawn      when drawn        always
 * </pre>
 *
 * @param tracker        point-tracking strategy
 * @param seed           seed of the drag/denoise stages (DragDiffusion: 42); LoRA has its own ({@link LoraOptions#seed()})
 * @param workingSize    the image is resized to this width and the height keeping the aspect ratio, both rounded to
 *                       a multiple the UNet accepts (64 px for SD 1.5; see {@link EditValidator});
 *                       {@value #NATIVE_WORKING_SIZE} (the default) = the model's native size
 *                       ({@link io.rotationdrag.diffusion.ModelGeometry}: 512 for SD 1.5, 64 for rd-synth-v1)
 * @param lora           LoRA fine-tuning
 * @param inversion      DDIM inversion
 * @param drag           drag optimisation and tracking
 * @param denoise        final denoising
 * @param previewEvery   a preview image every N drag steps in the progress events (0 = none; each costs a decode)
 * @param maxPointPairs  most point pairs (drag pairs + axes) accepted
 * @param minImageSide   smallest accepted input side in pixels
 */
public record EditOptions(TrackerKind tracker, long seed, int workingSize, LoraOptions lora, InversionOptions inversion,
                          DragOptions drag, DenoiseOptions denoise, int previewEvery, int maxPointPairs,
                          int minImageSide) {

    public static final int DEFAULT_MAX_POINT_PAIRS = 16;
    public static final int DEFAULT_MIN_IMAGE_SIDE = 64;
    /** {@code workingSize} value meaning "the model's native image size", resolved where the model is known. */
    public static final int NATIVE_WORKING_SIZE = 0;

    public EditOptions {
        if (tracker == null) {
            tracker = TrackerKind.ROTATIONDRAG_CACHED;
        }
        if (lora == null) {
            lora = LoraOptions.defaults();
        }
        if (inversion == null) {
            inversion = InversionOptions.defaults();
        }
        if (drag == null) {
            drag = DragOptions.defaults();
        }
        if (denoise == null) {
            denoise = DenoiseOptions.defaults();
        }
        if (workingSize != NATIVE_WORKING_SIZE && workingSize < 8) {
            throw new IllegalArgumentException("working size must be >= 8 (or 0 for the model's native size), got "
                    + workingSize);
        }
        if (previewEvery < 0 || maxPointPairs < 1 || minImageSide < 1) {
            throw new IllegalArgumentException("invalid edit settings: previewEvery " + previewEvery
                    + ", maxPointPairs " + maxPointPairs + ", minImageSide " + minImageSide);
        }
    }

    public static EditOptions defaults() {
        return new EditOptions(TrackerKind.ROTATIONDRAG_CACHED, 42L, NATIVE_WORKING_SIZE, LoraOptions.defaults(),
                InversionOptions.defaults(), DragOptions.defaults(), DenoiseOptions.defaults(), 0,
                DEFAULT_MAX_POINT_PAIRS, DEFAULT_MIN_IMAGE_SIDE);
    }

    public static EditOptions dragDiffusion() {
        return new EditOptions(TrackerKind.DRAGDIFFUSION, 42L, NATIVE_WORKING_SIZE, LoraOptions.dragDiffusion(),
                InversionOptions.dragDiffusion(), DragOptions.defaults(), DenoiseOptions.defaults(), 0,
                DEFAULT_MAX_POINT_PAIRS, DEFAULT_MIN_IMAGE_SIDE);
    }

    public static EditOptions paper() {
        return defaults().withDrag(DragOptions.paper());
    }

    public EditOptions withTracker(TrackerKind t) {
        return new EditOptions(t, seed, workingSize, lora, inversion, drag, denoise, previewEvery, maxPointPairs,
                minImageSide);
    }

    public EditOptions withSeed(long s) {
        return new EditOptions(tracker, s, workingSize, lora, inversion, drag, denoise, previewEvery, maxPointPairs,
                minImageSide);
    }

    public EditOptions withWorkingSize(int w) {
        return new EditOptions(tracker, seed, w, lora, inversion, drag, denoise, previewEvery, maxPointPairs,
                minImageSide);
    }

    public EditOptions withLora(LoraOptions l) {
        return new EditOptions(tracker, seed, workingSize, l, inversion, drag, denoise, previewEvery, maxPointPairs,
                minImageSide);
    }

    public EditOptions withInversion(InversionOptions i) {
        return new EditOptions(tracker, seed, workingSize, lora, i, drag, denoise, previewEvery, maxPointPairs,
                minImageSide);
    }

    public EditOptions withDrag(DragOptions d) {
        return new EditOptions(tracker, seed, workingSize, lora, inversion, d, denoise, previewEvery, maxPointPairs,
                minImageSide);
    }

    public EditOptions withDenoise(DenoiseOptions d) {
        return new EditOptions(tracker, seed, workingSize, lora, inversion, drag, d, previewEvery, maxPointPairs,
                minImageSide);
    }

    public EditOptions withPreviewEvery(int n) {
        return new EditOptions(tracker, seed, workingSize, lora, inversion, drag, denoise, n, maxPointPairs,
                minImageSide);
    }

    public EditOptions withMaxPointPairs(int n) {
        return new EditOptions(tracker, seed, workingSize, lora, inversion, drag, denoise, previewEvery, n,
                minImageSide);
    }

    public EditOptions withMinImageSide(int n) {
        return new EditOptions(tracker, seed, workingSize, lora, inversion, drag, denoise, previewEvery, maxPointPairs,
                n);
    }
}
