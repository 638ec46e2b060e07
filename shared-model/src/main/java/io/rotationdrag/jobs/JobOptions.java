package io.rotationdrag.jobs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.TrackerKind;

import java.util.Iterator;
import java.util.Map;

/**
 * A job's {@code method} + {@code options} JSON -> {@link EditOptions}. The options JSON is a partial
 * {@link EditOptions} (record component names, nested: {@code {"seed":7,"drag":{"maxSteps":40}}}) laid over the
 * method's defaults ({@link EditOptions#dragDiffusion()} for "dragdiffusion", {@link EditOptions#defaults()} with the
 * method's tracker otherwise), so a job stores only what the user changed and every worker derives the same options.
 * The method always decides the tracker.
 */
public final class JobOptions {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private JobOptions() {
    }

    /** @throws EditValidationException naming the unknown method, bad JSON, unknown field or invalid value */
    public static EditOptions resolve(String method, String optionsJson) {
        TrackerKind kind = TrackerKind.fromId(method);
        EditOptions base = kind == TrackerKind.DRAGDIFFUSION ? EditOptions.dragDiffusion()
                : EditOptions.defaults().withTracker(kind);
        if (optionsJson == null || optionsJson.isBlank()) {
            return base;
        }
        JsonNode user;
        try {
            user = JSON.readTree(optionsJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new EditValidationException("options is not valid JSON: " + e.getOriginalMessage());
        }
        if (user == null || user.isNull() || (user.isObject() && user.isEmpty())) {
            return base;
        }
        if (!user.isObject()) {
            throw new EditValidationException("options must be a JSON object, got " + user.getNodeType());
        }
        if (user.has("tracker")) {
            throw new EditValidationException("options.tracker is set by the job's method; remove it");
        }
        ObjectNode merged = JSON.valueToTree(base);
        merge(merged, (ObjectNode) user, "options");
        try {
            return JSON.treeToValue(merged, EditOptions.class).withTracker(kind);
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new EditValidationException("unknown option '" + e.getPropertyName() + "'");
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new EditValidationException("invalid options: " + root.getMessage());
        }
    }

    private static void merge(ObjectNode into, ObjectNode from, String path) {
        Iterator<Map.Entry<String, JsonNode>> it = from.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode cur = into.get(e.getKey());
            if (cur == null) {
                throw new EditValidationException("unknown option '" + path + "." + e.getKey() + "'");
            }
            if (cur.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) cur, (ObjectNode) e.getValue(), path + "." + e.getKey());
            } else if (cur.isObject() != e.getValue().isObject()) {
                throw new EditValidationException("option '" + path + "." + e.getKey() + "' must be "
                        + (cur.isObject() ? "an object" : "a value, not an object"));
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }
}
