package io.rotationdrag.gateway.sweep;

import java.util.Set;

/**
 * Which way a metric improves; regressions are only flagged for metrics with a known direction. Properties of the
 * sample rather than of the edit (requested angle, ground-truth floors) and the recovered angle itself (better
 * only relative to the request) are neutral.
 */
public enum MetricDirection {
    LOWER_IS_BETTER, HIGHER_IS_BETTER, NEUTRAL;

    private static final Set<String> LOWER = Set.of("md", "md_pooled", "md_axis", "lpips",
            "handle_content_distance_vs_gt", "tracking_final_error", "tracking_max_error", "unet_forwards",
            "unet_backwards", "failure_rate", "rotation_angle_error");
    private static final Set<String> HIGHER = Set.of("image_fidelity", "psnr_outside_mask", "ssim_outside_mask",
            "psnr_inside_mask_vs_gt", "ssim_inside_mask_vs_gt", "tracking_reached_fraction",
            "rotation_match_correlation", "rotation_match_contrast", "rotation_match_psnr", "rotation_is_turn");

    public static MetricDirection of(String metric) {
        if (LOWER.contains(metric) || metric.startsWith("wall_s_")) {
            return LOWER_IS_BETTER;
        }
        return HIGHER.contains(metric) ? HIGHER_IS_BETTER : NEUTRAL;
    }
}
