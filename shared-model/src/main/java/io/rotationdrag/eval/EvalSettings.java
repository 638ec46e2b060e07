package io.rotationdrag.eval;

import java.nio.file.Path;

/**
 * Settings of {@link EditEvaluator}.
 *
 * @param dift         MD's feature recipe
 * @param ssim         SSIM window and constants of the masked SSIM metrics
 * @param lpipsWeights LPIPS (AlexNet) safetensors file for IF = 1 - LPIPS; null = not configured, IF is then
 *                     reported unavailable with that reason
 */
public record EvalSettings(DiftSettings dift, SsimOptions ssim, Path lpipsWeights) {
    public EvalSettings {
        dift = dift == null ? DiftSettings.defaults() : dift;
        ssim = ssim == null ? SsimOptions.defaults() : ssim;
    }

    public static EvalSettings defaults() {
        return new EvalSettings(DiftSettings.defaults(), SsimOptions.defaults(), null);
    }
}
