package io.rotationdrag.diffusion.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for reading diffusers {@code config.json} files with defaults for absent fields. */
public final class ConfigJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private ConfigJson() {
    }

    public static JsonNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("config file not found: " + file);
        }
        JsonNode n = JSON.readTree(file.toFile());
        if (n == null || !n.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        return n;
    }

    public static ObjectMapper mapper() {
        return JSON;
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static boolean present(JsonNode n, String key) {
        return n.has(key) && !n.get(key).isNull();
    }

    static int i(JsonNode n, String key, int def) {
        return present(n, key) ? n.get(key).asInt() : def;
    }

    static double d(JsonNode n, String key, double def) {
        return present(n, key) ? n.get(key).asDouble() : def;
    }

    static boolean b(JsonNode n, String key, boolean def) {
        return present(n, key) ? n.get(key).asBoolean() : def;
    }

    static String s(JsonNode n, String key, String def) {
        return present(n, key) ? n.get(key).asText() : def;
    }

    static List<String> strings(JsonNode n, String key, List<String> def) {
        if (!present(n, key)) {
            return def;
        }
        List<String> out = new ArrayList<>();
        n.get(key).forEach(v -> out.add(v.asText()));
        return List.copyOf(out);
    }

    static int[] ints(JsonNode n, String key, int[] def) {
        if (!present(n, key)) {
            return def;
        }
        JsonNode a = n.get(key);
        int[] out = new int[a.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = a.get(k).asInt();
        }
        return out;
    }

    /** An int or a per-block list of ints, expanded to {@code blocks} entries. */
    static int[] intOrList(JsonNode n, String key, int def, int blocks) {
        int[] out = new int[blocks];
        if (!present(n, key)) {
            java.util.Arrays.fill(out, def);
            return out;
        }
        JsonNode a = n.get(key);
        if (a.isArray()) {
            if (a.size() != blocks) {
                throw new IllegalArgumentException(key + " has " + a.size() + " entries, expected " + blocks);
            }
            for (int k = 0; k < blocks; k++) {
                out[k] = a.get(k).asInt();
            }
        } else {
            java.util.Arrays.fill(out, a.asInt());
        }
        return out;
    }

    static void requireNull(JsonNode n, String key, String component) {
        if (present(n, key)) {
            throw new IllegalArgumentException(component + " config: '" + key + "' = " + n.get(key)
                    + " is not supported by this engine (SD 1.x UNet/VAE only)");
        }
    }

    static void requireValue(JsonNode n, String key, String expected, String component) {
        if (present(n, key) && !n.get(key).asText().equals(expected)) {
            throw new IllegalArgumentException(component + " config: '" + key + "' = " + n.get(key)
                    + " is not supported (only " + expected + ")");
        }
    }
}
