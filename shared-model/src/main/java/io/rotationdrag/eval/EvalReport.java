package io.rotationdrag.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of one edit, in order, with the per-pair DIFT matches (so a dataset's MD can be pooled over pairs)
 * and the settings used. JSON form ({@link #toJson()}, stored as {@code result/metrics.json} and in
 * {@code jobs.metrics_json}):
 * <pre>{"version":1,
 *  "metrics":{"md":{"value":3.2},"image_fidelity":{"unavailable":"no LPIPS weights configured"},
 *             "psnr_outside_mask":{"value":"Infinity"}, ...},
 *  "pairs":[{"hx":..,"hy":..,"tx":..,"ty":..,"axis":false,"matchX":..,"matchY":..,"distance":..,
 *            "gtMatchX":..,"gtMatchY":..}],
 *  "settings":{...}}</pre>
 * Infinite values (PSNR of identical regions) are written as the strings "Infinity" / "-Infinity" so the JSON
 * stays standard.
 */
public record EvalReport(Map<String, MetricValue> metrics, List<PairMatch> matches, List<PairMatch> gtMatches,
                         Map<String, Object> settings) {
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public EvalReport {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        matches = matches == null ? List.of() : List.copyOf(matches);
        gtMatches = gtMatches == null ? List.of() : List.copyOf(gtMatches);
        settings = settings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    public static EvalReport of(List<MetricValue> values, List<PairMatch> matches, List<PairMatch> gtMatches,
                                Map<String, Object> settings) {
        Map<String, MetricValue> m = new LinkedHashMap<>();
        for (MetricValue v : values) {
            if (m.put(v.name(), v) != null) {
                throw new IllegalArgumentException("metric " + v.name() + " computed twice");
            }
        }
        return new EvalReport(m, matches, gtMatches, settings);
    }

    public MetricValue metric(String name) {
        MetricValue v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric " + name + " in the report (have " + metrics.keySet() + ")");
        }
        return v;
    }

    public ObjectNode toJsonTree() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        ObjectNode ms = root.putObject("metrics");
        for (MetricValue v : metrics.values()) {
            ObjectNode n = ms.putObject(v.name());
            if (v.available()) {
                putNumber(n, "value", v.value());
            } else {
                n.put("unavailable", v.unavailableReason());
            }
        }
        ArrayNode pairs = root.putArray("pairs");
        for (int i = 0; i < matches.size(); i++) {
            PairMatch m = matches.get(i);
            ObjectNode p = pairs.addObject();
            p.put("hx", m.pair().hx()).put("hy", m.pair().hy()).put("tx", m.pair().tx()).put("ty", m.pair().ty());
            p.put("axis", m.pair().isRotationAxis());
            p.put("matchX", m.matchX()).put("matchY", m.matchY());
            putNumber(p, "distance", m.distance());
            if (i < gtMatches.size()) {
                p.put("gtMatchX", gtMatches.get(i).matchX()).put("gtMatchY", gtMatches.get(i).matchY());
            }
        }
        root.set("settings", JSON.valueToTree(settings));
        return root;
    }

    public String toJson() {
        return toJsonTree().toString();
    }

    /** Reads {@link #toJson()} back (settings as plain JSON values). */
    public static EvalReport fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("metrics JSON is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("metrics").isObject()) {
            throw new IllegalArgumentException("metrics JSON has no 'metrics' object");
        }
        Map<String, MetricValue> metrics = new LinkedHashMap<>();
        root.get("metrics").fields().forEachRemaining(e -> {
            JsonNode n = e.getValue();
            metrics.put(e.getKey(), n.has("value") ? MetricValue.of(e.getKey(), number(n.get("value")))
                    : MetricValue.unavailable(e.getKey(), n.path("unavailable").asText("unavailable")));
        });
        List<PairMatch> ms = new ArrayList<>();
        List<PairMatch> gts = new ArrayList<>();
        for (JsonNode p : root.path("pairs")) {
            HandleTarget ht = new HandleTarget(p.get("hx").asDouble(), p.get("hy").asDouble(), p.get("tx").asDouble(),
                    p.get("ty").asDouble());
            ms.add(new PairMatch(ht, p.get("matchX").asInt(), p.get("matchY").asInt(), number(p.get("distance"))));
            if (p.has("gtMatchX")) {
                int gx = p.get("gtMatchX").asInt();
                int gy = p.get("gtMatchY").asInt();
                gts.add(new PairMatch(ht, gx, gy, Math.hypot(gx - ht.tx(), gy - ht.ty())));
            }
        }
        Map<String, Object> settings = JSON.convertValue(root.path("settings"),
                JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
        return new EvalReport(metrics, ms, gts, settings);
    }

    private static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isInfinite(v)) {
            n.put(field, v > 0 ? "Infinity" : "-Infinity");
        } else {
            n.put(field, v);
        }
    }

    /** A metric number from JSON: a number, or the strings "Infinity" / "-Infinity". */
    public static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        String s = n.asText();
        return switch (s) {
            case "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException("not a metric number: " + n);
        };
    }
}
