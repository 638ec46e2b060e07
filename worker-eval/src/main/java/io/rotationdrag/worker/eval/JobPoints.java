package io.rotationdrag.worker.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.eval.HandleTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * A job's {@code points_json} as pairs. Two spellings are accepted: DragBench's alternating points
 * {@code [[hx,hy],[tx,ty],...]} and the edit API's pairs {@code [{"hx":..,"hy":..,"tx":..,"ty":..},...]}.
 */
final class JobPoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobPoints() {
    }

    static List<HandleTarget> parse(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("points are not valid JSON: " + e.getMessage());
        }
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new IllegalArgumentException("points must be a non-empty JSON array");
        }
        List<HandleTarget> out = new ArrayList<>();
        if (n.get(0).isObject()) {
            for (JsonNode p : n) {
                out.add(new HandleTarget(num(p, "hx"), num(p, "hy"), num(p, "tx"), num(p, "ty")));
            }
            return out;
        }
        if (n.size() % 2 != 0) {
            throw new IllegalArgumentException("points alternate handle and target: odd count " + n.size());
        }
        for (int i = 0; i < n.size(); i += 2) {
            JsonNode h = n.get(i);
            JsonNode t = n.get(i + 1);
            if (!h.isArray() || h.size() != 2 || !t.isArray() || t.size() != 2) {
                throw new IllegalArgumentException("point " + i + " is not an [x, y] pair");
            }
            out.add(new HandleTarget(h.get(0).asDouble(), h.get(1).asDouble(), t.get(0).asDouble(),
                    t.get(1).asDouble()));
        }
        return out;
    }

    private static double num(JsonNode p, String f) {
        JsonNode v = p.get(f);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("point pair lacks numeric '" + f + "'");
        }
        return v.asDouble();
    }
}
