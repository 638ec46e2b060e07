package io.rotationdrag.eval;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Weight-free image fidelity of an edit: PSNR and SSIM of the edited image against the input <em>outside</em>
 * the edit mask (what should not have changed), and, when a ground-truth target image exists (synthetic
 * benchmark), PSNR and SSIM against it <em>inside</em> the mask (what should have changed, and how).
 */
public final class MaskedFidelity {
    public static final String PSNR_OUTSIDE = "psnr_outside_mask";
    public static final String SSIM_OUTSIDE = "ssim_outside_mask";
    public static final String PSNR_INSIDE_GT = "psnr_inside_mask_vs_gt";
    public static final String SSIM_INSIDE_GT = "ssim_inside_mask_vs_gt";

    private MaskedFidelity() {
    }

    /**
     * @param editMask editable region; {@code null} or empty means "no mask drawn" (everything editable), so
     *                 there is no outside region and the outside metrics are reported unavailable
     * @param groundTruth the expected edited image, or {@code null} when the sample has none
     */
    public static List<MetricValue> compute(BufferedImage input, BufferedImage edited, PixelMask editMask,
                                            BufferedImage groundTruth, SsimOptions ssim) {
        ImagePlanes.requireSameSize(input, edited, "masked fidelity (input vs edited)");
        PixelMask editable = editMask == null || editMask.isEmpty()
                ? PixelMask.filled(input.getWidth(), input.getHeight(), true) : editMask;
        ImagePlanes.requireMaskSize(input, editable, "masked fidelity");
        List<MetricValue> out = new ArrayList<>(4);
        PixelMask outside = editable.inverted();
        if (outside.isEmpty()) {
            String why = "no region outside the edit mask (no mask drawn: the whole image is editable)";
            out.add(MetricValue.unavailable(PSNR_OUTSIDE, why));
            out.add(MetricValue.unavailable(SSIM_OUTSIDE, why));
        } else {
            out.add(MaskedPsnr.compute(PSNR_OUTSIDE, input, edited, outside));
            out.add(MaskedSsim.compute(SSIM_OUTSIDE, input, edited, outside, ssim));
        }
        if (groundTruth == null) {
            out.add(MetricValue.unavailable(PSNR_INSIDE_GT, "the sample has no ground-truth image"));
            out.add(MetricValue.unavailable(SSIM_INSIDE_GT, "the sample has no ground-truth image"));
        } else {
            ImagePlanes.requireSameSize(groundTruth, edited, "masked fidelity (ground truth vs edited)");
            out.add(MaskedPsnr.compute(PSNR_INSIDE_GT, groundTruth, edited, editable));
            out.add(MaskedSsim.compute(SSIM_INSIDE_GT, groundTruth, edited, editable, ssim));
        }
        return out;
    }
}
