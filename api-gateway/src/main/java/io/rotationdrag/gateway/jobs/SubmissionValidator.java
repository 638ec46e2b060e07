package io.rotationdrag.gateway.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.diffusion.ModelGeometry;
import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.EditValidator;
import io.rotationdrag.edit.PointPair;
import io.rotationdrag.edit.TrackerKind;
import io.rotationdrag.gateway.GatewayConfig;
import io.rotationdrag.gateway.api.ApiException;
import io.rotationdrag.gateway.api.TextInput;
import io.rotationdrag.jobs.JobOptions;
import io.rotationdrag.jobs.JobPoints;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.model.BaseModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Checks a submission part by part, so each rejection names its field, and then runs the edit's own rules
 * ({@link EditValidator}: image size, mask size, points inside the image, at least one drag) on the decoded
 * request, exactly as the workers will. Nothing here touches the database or the object store.
 */
@ApplicationScoped
public class SubmissionValidator {
    static final int MAX_PROMPT_CHARS = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    GatewayConfig config;

    @Inject
    RdConfig rdConfig;

    private volatile ModelGeometry geometry;

    /**
     * Sizes of the model the workers load (same configuration: RD_MODEL_PATH / RD_MODEL_DIR / embedded), read from
     * its config files once; the gateway loads no weights.
     */
    ModelGeometry geometry() {
        ModelGeometry g = geometry;
        if (g == null) {
            g = BaseModel.configuredGeometry(rdConfig);
            geometry = g;
        }
        return g;
    }

    public Submission validate(SubmissionForm f) {
        if (f.method() == null || f.method().isBlank()) {
            throw ApiException.badRequest("method", "method is missing: expected one of " + methods());
        }
        TrackerKind kind;
        try {
            kind = TrackerKind.fromId(f.method());
        } catch (EditValidationException e) {
            throw ApiException.badRequest("method", e.getMessage());
        }
        EditOptions options;
        String optionsJson = compact(f.options());
        try {
            options = JobOptions.resolve(kind.id(), optionsJson);
        } catch (EditValidationException e) {
            throw ApiException.badRequest("options", e.getMessage());
        }
        OptionLimits.check(options, config.limits());
        ModelGeometry geometry = geometry();
        int working = geometry.resolveWorkingSize(options.workingSize());
        if (working > config.maxWorkingSize()) {
            throw ApiException.badRequest("options", "options.workingSize " + working
                    + " exceeds this server's limit of " + config.maxWorkingSize());
        }
        int maxPairs = Math.min(options.maxPointPairs(), config.maxPointPairs());
        options = options.withMaxPointPairs(maxPairs);
        String prompt = f.prompt() == null ? "" : f.prompt().strip();
        TextInput.requireClean("prompt", prompt, true);
        TextInput.requireMaxLength("prompt", prompt, MAX_PROMPT_CHARS);
        List<PointPair> points;
        try {
            points = JobPoints.parse(f.points(), maxPairs);
        } catch (EditValidationException e) {
            throw ApiException.badRequest("points", e.getMessage());
        }
        if (f.image() == null) {
            throw ApiException.badRequest("image", "image is missing: send a PNG or JPEG file in the form part 'image'");
        }
        ImageUpload image = ImageUpload.read("image", f.image(), EnumSet.of(ImageUpload.Type.PNG, ImageUpload.Type.JPEG),
                config.maxUploadBytes(), config.maxImagePixels());
        ImageUpload mask = f.mask() == null ? null : ImageUpload.read("mask", f.mask(),
                EnumSet.of(ImageUpload.Type.PNG), config.maxUploadBytes(), config.maxImagePixels());
        ImageUpload truth = f.groundTruth() == null ? null : ImageUpload.read("groundTruth", f.groundTruth(),
                EnumSet.of(ImageUpload.Type.PNG, ImageUpload.Type.JPEG), config.maxUploadBytes(),
                config.maxImagePixels());
        if (truth != null && (truth.image().getWidth() != image.image().getWidth()
                || truth.image().getHeight() != image.image().getHeight())) {
            throw ApiException.badRequest("groundTruth", "groundTruth is " + truth.image().getWidth() + "x"
                    + truth.image().getHeight() + " but the image is " + image.image().getWidth() + "x"
                    + image.image().getHeight() + ": the ground truth is the expected edit of the same image");
        }
        try {
            EditValidator.prepare(new EditRequest(image.image(), mask == null ? null : mask.image(), points, prompt,
                    options), geometry);
        } catch (EditValidationException e) {
            throw ApiException.badRequest(fieldOf(e.getMessage()), e.getMessage());
        }
        return new Submission(kind.id(), prompt, optionsJson, options, points, JobPoints.toJson(points),
                image.image().getWidth(), image.image().getHeight(), image.pngBytes(),
                mask == null ? null : mask.bytes(), truth == null ? null : truth.pngBytes());
    }

    /** EditValidator's messages start with the thing they are about. */
    static String fieldOf(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.startsWith("image") || m.startsWith("no image")) {
            return "image";
        }
        if (m.contains("mask")) {
            return "mask";
        }
        return "points";
    }

    /** The options JSON re-serialised compactly; invalid JSON is left for JobOptions to reject with its message. */
    private static String compact(String options) {
        if (options == null || options.isBlank()) {
            return "{}";
        }
        try {
            return JSON.writeValueAsString(JSON.readTree(options));
        } catch (Exception e) {
            return options;
        }
    }

    private static String methods() {
        return String.join(", ", EnumSet.allOf(TrackerKind.class).stream().map(TrackerKind::id).toList());
    }
}
