package io.rotationdrag.jobs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
    // strict types: 1.5 is not an int, "7" is not a number (a typo should fail, not be coerced)
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

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
            // Jackson's own wording names parser features and classes; say where it broke instead
            var at = e.getLocation();
            throw new EditValidationException("options is not valid JSON" + (at == null ? ""
                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + " (numbers must be finite JSON numbers, strings double-quoted)");
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
        } catch (JsonMappingException e) {
            throw new EditValidationException(describe(e));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new EditValidationException("invalid options: " + ownMessage(e));
        }
    }

    /** "options.drag.maxSteps must be an integer", or the record's own check for a value out of its range. */
    static String describe(JsonMappingException e) {
        StringBuilder path = new StringBuilder("options");
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append('.').append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return path + " must be " + kind(m.getTargetType());
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException) {
            return path + ": " + ownMessage(e);
        }
        return path + " has a value of the wrong type or range";
    }

    /** The deepest cause's message when it is one of ours (an IllegalArgumentException of a record check). */
    private static String ownMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root instanceof IllegalArgumentException && root.getMessage() != null ? root.getMessage()
                : "a value has the wrong type or range";
    }

    private static String kind(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return t == int.class || t == Integer.class ? "an integer in [" + Integer.MIN_VALUE + ", "
                    + Integer.MAX_VALUE + "]" : "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t.isEnum()) {
            return "one of " + java.util.Arrays.toString(t.getEnumConstants());
        }
        return t == String.class ? "a string" : "an object";
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
