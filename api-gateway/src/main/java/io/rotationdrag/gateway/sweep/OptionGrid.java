package io.rotationdrag.gateway.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A sweep's option sets. Two forms:
 * <ul>
 *   <li>a grid: an object of option paths (dotted for nested options) to lists of values,
 *       {@code {"seed":[1,2],"drag.maxSteps":[20,40]}} -> the cartesian product, 4 option sets in key order
 *       (last key varies fastest), each a partial options object {@code {"seed":1,"drag":{"maxSteps":20}}};</li>
 *   <li>a list of partial options objects, used as they are.</li>
 * </ul>
 * Absent or empty = one empty option set (the method defaults).
 */
public final class OptionGrid {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_SETS = 64;

    private OptionGrid() {
    }

    public static List<ObjectNode> expand(JsonNode options) {
        List<ObjectNode> out = new ArrayList<>();
        if (options == null || options.isNull() || (options.isContainerNode() && options.isEmpty())) {
            out.add(JSON.createObjectNode());
            return out;
        }
        if (options.isArray()) {
            if (options.size() > MAX_SETS) {
                throw new IllegalArgumentException("the options list has " + options.size() + " option sets; at most "
                        + MAX_SETS);
            }
            for (JsonNode o : options) {
                if (!o.isObject()) {
                    throw new IllegalArgumentException("options: every option set must be a JSON object, got " + o);
                }
                out.add((ObjectNode) o.deepCopy());
            }
        } else if (options.isObject()) {
            List<String> keys = new ArrayList<>();
            List<JsonNode> values = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = options.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                    throw new IllegalArgumentException("options grid: '" + e.getKey()
                            + "' must be a non-empty list of values");
                }
                keys.add(e.getKey());
                values.add(e.getValue());
            }
            // the product's size first: a grid of 8 keys x 10 values would otherwise build 10^8 objects
            long sets = 1;
            for (JsonNode v : values) {
                sets *= v.size();
                if (sets > MAX_SETS) {
                    throw new IllegalArgumentException("the options grid gives more than " + MAX_SETS
                            + " option sets (the product of its list sizes); at most " + MAX_SETS);
                }
            }
            product(keys, values, 0, JSON.createObjectNode(), out);
        } else {
            throw new IllegalArgumentException("options must be a grid object or a list of option objects");
        }
        if (out.size() > MAX_SETS) {
            throw new IllegalArgumentException("options give " + out.size() + " option sets; at most " + MAX_SETS);
        }
        return out;
    }

    private static void product(List<String> keys, List<JsonNode> values, int i, ObjectNode cur, List<ObjectNode> out) {
        if (i == keys.size()) {
            out.add(cur.deepCopy());
            return;
        }
        for (JsonNode v : values.get(i)) {
            ObjectNode next = cur.deepCopy();
            put(next, keys.get(i), v);
            product(keys, values, i + 1, next, out);
        }
    }

    private static void put(ObjectNode root, String path, JsonNode v) {
        String[] parts = path.split("\\.");
        ObjectNode n = root;
        for (int k = 0; k < parts.length - 1; k++) {
            JsonNode c = n.get(parts[k]);
            n = c instanceof ObjectNode o ? o : n.putObject(parts[k]);
        }
        n.set(parts[parts.length - 1], v);
    }
}
