package io.rotationdrag.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the drag optimisation itself went, from the edit's outcome: where the tracker left each handle versus its
 * target, how many optimisation steps and UNet evaluations it used, and the wall time of every stage.
 *
 * @param pairs         the edit's pairs, in order
 * @param finalHandles  the tracked handle (x, y) in image pixels after the last step, one per pair
 * @param steps         drag optimisation steps run
 * @param unetForwards  UNet forward passes in the whole edit (inversion, drag, tracking templates, denoising)
 * @param unetBackwards UNet backward passes (drag steps; LoRA training if counted), or -1 if unknown
 * @param stageWallMs   wall time per stage name (e.g. LORA, INVERT, DRAG, DENOISE), in milliseconds
 */
public record TrackingQuality(List<HandleTarget> pairs, List<double[]> finalHandles, int steps, long unetForwards,
                              long unetBackwards, Map<String, Long> stageWallMs) {
    /** Handles closer than this many image pixels to their target count as reached (2 feature px at half res). */
    public static final double REACH_RADIUS_PX = 4.0;

    public TrackingQuality {
        if (pairs.size() != finalHandles.size()) {
            throw new IllegalArgumentException(pairs.size() + " pairs but " + finalHandles.size() + " final handles");
        }
        pairs = List.copyOf(pairs);
        finalHandles = List.copyOf(finalHandles);
        stageWallMs = stageWallMs == null ? Map.of() : new LinkedHashMap<>(stageWallMs);
    }

    public List<MetricValue> metrics() {
        List<MetricValue> out = new ArrayList<>();
        double sum = 0;
        double max = 0;
        int n = 0;
        int reached = 0;
        for (int i = 0; i < pairs.size(); i++) {
            HandleTarget p = pairs.get(i);
            if (p.isRotationAxis()) {
                continue;
            }
            double[] h = finalHandles.get(i);
            double d = Math.hypot(h[0] - p.tx(), h[1] - p.ty());
            sum += d;
            max = Math.max(max, d);
            n++;
            if (d <= REACH_RADIUS_PX) {
                reached++;
            }
        }
        if (n == 0) {
            String why = "no drag pair";
            out.add(MetricValue.unavailable("tracking_final_error", why));
            out.add(MetricValue.unavailable("tracking_max_error", why));
            out.add(MetricValue.unavailable("tracking_reached_fraction", why));
        } else {
            out.add(MetricValue.of("tracking_final_error", sum / n));
            out.add(MetricValue.of("tracking_max_error", max));
            out.add(MetricValue.of("tracking_reached_fraction", reached / (double) n));
        }
        out.add(MetricValue.of("drag_steps", steps));
        out.add(MetricValue.of("unet_forwards", unetForwards));
        out.add(unetBackwards < 0 ? MetricValue.unavailable("unet_backwards", "not reported by the editor")
                : MetricValue.of("unet_backwards", unetBackwards));
        long total = 0;
        for (Map.Entry<String, Long> e : stageWallMs.entrySet()) {
            out.add(MetricValue.of("wall_s_" + e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue() / 1000.0));
            total += e.getValue();
        }
        if (!stageWallMs.isEmpty()) {
            out.add(MetricValue.of("wall_s_total", total / 1000.0));
        }
        return out;
    }
}
