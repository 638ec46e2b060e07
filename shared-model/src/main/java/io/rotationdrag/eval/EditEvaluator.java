package io.rotationdrag.eval;

import io.rotationdrag.diffusion.StableDiffusion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every metric of one edit (issue #6), with the model kept warm across edits:
 * <ul>
 *   <li>MD ({@link MeanDistance}) on DIFT features ({@link DiftFeatures}) of input vs result; axis drift
 *       {@code md_axis}; with a ground truth also the ground truth's own MD (the recipe's floor) and the
 *       handle-content distance between result and ground truth;</li>
 *   <li>IF = 1 - LPIPS when a weights file is configured, otherwise reported unavailable with the reason;</li>
 *   <li>masked PSNR / SSIM outside the edit mask and, with a ground truth, inside it ({@link MaskedFidelity});</li>
 *   <li>the angle the masked content turned, its error against the requested turn and the match quality
 *       ({@link RotationAngleMetric}, input rotated about the axis), with a ground truth also the truth's own
 *       score (the metric's floor);</li>
 *   <li>tracking quality from the edit's outcome ({@link TrackingQuality}) or its absence with the reason.</li>
 * </ul>
 * Not thread-safe (one evaluation at a time per instance, as one worker consumer).
 */
public final class EditEvaluator implements AutoCloseable {
    public static final String IF_NOT_CONFIGURED = "no LPIPS weights configured (set the LPIPS safetensors file, "
            + "see io.rotationdrag.eval.Lpips): image fidelity is not computed";

    private final EvalSettings settings;
    private final DiftFeatures dift;
    private final Lpips lpips;

    /**
     * @param model the warm model for DIFT features (not closed by this class)
     * @throws UncheckedIOException when a configured LPIPS file cannot be loaded (a configuration error, not a
     *                              reason to drop the metric silently)
     */
    public EditEvaluator(StableDiffusion model, EvalSettings settings) {
        this.settings = settings;
        this.dift = new DiftFeatures(model, settings.dift());
        if (settings.lpipsWeights() != null) {
            try {
                this.lpips = Lpips.load(settings.lpipsWeights());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load LPIPS weights " + settings.lpipsWeights() + ": "
                        + e.getMessage(), e);
            }
        } else {
            this.lpips = null;
        }
    }

    public EvalSettings settings() {
        return settings;
    }

    public boolean hasLpips() {
        return lpips != null;
    }

    public EvalReport evaluate(EvalInput in) {
        List<MetricValue> out = new ArrayList<>();
        FeatureMap src = dift.extract(in.input(), in.prompt());
        FeatureMap edited = dift.extract(in.result(), in.prompt());
        List<PairMatch> matches = MeanDistance.match(src, edited, in.points());
        out.add(MeanDistance.mean(MeanDistance.MD, matches, false));
        out.add(MeanDistance.mean(MeanDistance.MD_AXIS, matches, true));
        List<PairMatch> gtMatches = List.of();
        if (in.groundTruth() != null) {
            FeatureMap gt = dift.extract(in.groundTruth(), in.prompt());
            gtMatches = MeanDistance.match(src, gt, in.points());
            MetricValue floor = MeanDistance.mean(MeanDistance.MD, gtMatches, false);
            out.add(floor.available() ? MetricValue.of(MeanDistance.MD_GT_FLOOR, floor.value())
                    : MetricValue.unavailable(MeanDistance.MD_GT_FLOOR, floor.unavailableReason()));
            out.add(MeanDistance.contentDistance(matches, gtMatches));
        } else {
            String why = "the sample has no ground-truth image";
            out.add(MetricValue.unavailable(MeanDistance.MD_GT_FLOOR, why));
            out.add(MetricValue.unavailable(MeanDistance.HANDLE_CONTENT_VS_GT, why));
        }
        if (lpips != null) {
            double d = lpips.distance(in.input(), in.result());
            out.add(MetricValue.of(Lpips.METRIC_LPIPS, d));
            out.add(MetricValue.of(Lpips.METRIC_IF, 1 - d));
        } else {
            out.add(MetricValue.unavailable(Lpips.METRIC_LPIPS, IF_NOT_CONFIGURED));
            out.add(Lpips.unavailable(IF_NOT_CONFIGURED));
        }
        out.addAll(MaskedFidelity.compute(in.input(), in.result(), in.mask(), in.groundTruth(), settings.ssim()));
        out.addAll(RotationAngleMetric.metrics(in.input(), in.mask(), in.result(), in.points(), in.groundTruth()));
        if (in.tracking() != null) {
            out.addAll(in.tracking().metrics());
        } else {
            for (String n : List.of("tracking_final_error", "tracking_max_error", "tracking_reached_fraction",
                    "drag_steps", "unet_forwards", "unet_backwards")) {
                out.add(MetricValue.unavailable(n, in.trackingAbsentReason()));
            }
        }
        if (in.tracking() == null || in.tracking().stageWallMs().isEmpty()) {
            // same names and units as TrackingQuality's: wall_s_<step>, wall_s_total
            out.addAll(new TrackingQuality(List.of(), List.of(), 0, 0, -1, in.stageWallMs()).metrics().stream()
                    .filter(v -> v.name().startsWith("wall_s_")).toList());
        }
        return EvalReport.of(out, matches, gtMatches, settingsMap());
    }

    private Map<String, Object> settingsMap() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("dift_timestep", settings.dift().timestep());
        s.put("dift_up_block", settings.dift().upBlock());
        s.put("dift_ensemble", settings.dift().ensembleSize());
        s.put("dift_seed", settings.dift().seed());
        s.put("ssim_window", settings.ssim().windowSize());
        s.put("ssim_sigma", settings.ssim().sigma());
        s.put("ssim_channels", settings.ssim().channels().name());
        s.put("rotation_templates", RotatedSourceTemplates.NAME);
        s.put("rotation_min_correlation", RotationAngleMetric.MIN_CORRELATION);
        s.put("rotation_min_contrast", RotationAngleMetric.MIN_CONTRAST);
        s.put("lpips", lpips != null ? settings.lpipsWeights().getFileName().toString() : "absent");
        return s;
    }

    @Override
    public void close() {
        if (lpips != null) {
            lpips.close();
        }
    }
}
