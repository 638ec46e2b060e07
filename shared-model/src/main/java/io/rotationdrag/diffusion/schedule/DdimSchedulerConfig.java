package io.rotationdrag.diffusion.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.diffusion.io.ConfigJson;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a diffusers {@code scheduler_config.json} that DDIM uses.
 *
 * <p>Absent fields take diffusers' {@code DDIMScheduler} constructor defaults (not SD's values): an old SD
 * config without {@code clip_sample} therefore clips, exactly as diffusers would. SD 1.5's file is read by
 * {@link #read(Path)}; {@link #sd15()} builds the configuration DragDiffusion constructs explicitly.
 *
 * @param trainedBetas explicit betas (length {@code numTrainTimesteps}) or null to derive them from the schedule
 */
public record DdimSchedulerConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        boolean clipSample,
        double clipSampleRange,
        boolean setAlphaToOne,
        int stepsOffset,
        String predictionType,
        String timestepSpacing,
        boolean thresholding,
        boolean rescaleBetasZeroSnr) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public DdimSchedulerConfig {
        if (numTrainTimesteps < 2) {
            throw new IllegalArgumentException("num_train_timesteps must be >= 2, got " + numTrainTimesteps);
        }
        if (!"linear".equals(betaSchedule) && !"scaled_linear".equals(betaSchedule) && trainedBetas == null) {
            throw new IllegalArgumentException("unsupported beta_schedule '" + betaSchedule
                    + "' (supported: linear, scaled_linear, or trained_betas)");
        }
        if (trainedBetas != null && trainedBetas.length != numTrainTimesteps) {
            throw new IllegalArgumentException("trained_betas has " + trainedBetas.length
                    + " entries but num_train_timesteps is " + numTrainTimesteps);
        }
        if (!"epsilon".equals(predictionType)) {
            throw new IllegalArgumentException("unsupported prediction_type '" + predictionType
                    + "' (only epsilon, as SD 1.5 uses)");
        }
        if (!"leading".equals(timestepSpacing) && !"trailing".equals(timestepSpacing)
                && !"linspace".equals(timestepSpacing)) {
            throw new IllegalArgumentException("unsupported timestep_spacing '" + timestepSpacing
                    + "' (supported: leading, trailing, linspace)");
        }
        if (thresholding) {
            throw new IllegalArgumentException("thresholding=true (dynamic thresholding) is not supported");
        }
        if (rescaleBetasZeroSnr) {
            throw new IllegalArgumentException("rescale_betas_zero_snr=true is not supported");
        }
        if (stepsOffset < 0) {
            throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
        }
    }

    /** SD 1.5 as DragDiffusion builds it: scaled_linear 0.00085..0.012, no clipping, final alpha = alphas_cumprod[0]. */
    public static DdimSchedulerConfig sd15() {
        return new DdimSchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", null, false, 1.0, false, 1,
                "epsilon", "leading", false, false);
    }

    /** The {@code scheduler_config.json} of {@link #sd15()} as the project writes it into the model folders it makes. */
    public static ObjectNode sd15Json() {
        ObjectNode s = ConfigJson.object();
        s.put("_class_name", "DDIMScheduler");
        s.put("num_train_timesteps", 1000);
        s.put("beta_start", 0.00085);
        s.put("beta_end", 0.012);
        s.put("beta_schedule", "scaled_linear");
        s.put("clip_sample", false);
        s.put("set_alpha_to_one", false);
        s.put("steps_offset", 1);
        s.put("prediction_type", "epsilon");
        return s;
    }

    /** Reads {@code scheduler_config.json}; {@code path} may be that file or the {@code scheduler/} folder holding it. */
    public static DdimSchedulerConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("scheduler_config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("scheduler config not found: " + file);
        }
        try {
            return fromJson(JSON.readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scheduler config " + file, e);
        }
    }

    static DdimSchedulerConfig fromJson(JsonNode n, String source) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("scheduler config " + source + " is not a JSON object");
        }
        double[] trained = null;
        JsonNode tb = n.get("trained_betas");
        if (tb != null && !tb.isNull()) {
            if (!tb.isArray()) {
                throw new IllegalArgumentException("trained_betas in " + source + " must be an array or null");
            }
            List<Double> values = new ArrayList<>();
            tb.forEach(v -> values.add(v.asDouble()));
            trained = values.stream().mapToDouble(Double::doubleValue).toArray();
        }
        try {
            return new DdimSchedulerConfig(
                    n.path("num_train_timesteps").asInt(1000),
                    n.path("beta_start").asDouble(0.0001),
                    n.path("beta_end").asDouble(0.02),
                    n.path("beta_schedule").asText("linear"),
                    trained,
                    n.path("clip_sample").asBoolean(true),
                    n.path("clip_sample_range").asDouble(1.0),
                    n.path("set_alpha_to_one").asBoolean(true),
                    n.path("steps_offset").asInt(0),
                    n.path("prediction_type").asText("epsilon"),
                    n.path("timestep_spacing").asText("leading"),
                    n.path("thresholding").asBoolean(false),
                    n.path("rescale_betas_zero_snr").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheduler config " + source + ": " + e.getMessage(), e);
        }
    }
}
