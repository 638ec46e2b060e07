package io.rotationdrag.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.PointPair;

import java.util.ArrayList;
import java.util.List;

/**
 * A job's {@code points} JSON: a flat list of points {@code [[hx,hy],[tx,ty],[hx,hy],[tx,ty],...]}, read as
 * consecutive handle/target pairs in image pixels (x right, y down). The gateway stores it in this canonical form
 * ({@code jobs.points_json}); every worker parses it with {@link #parse}. Range checks against the image are
 * {@code EditValidator}'s job.
 */
public final class JobPoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobPoints() {
    }

    /**
     * @param maxPairs most pairs accepted (checked before the list is built, so a huge upload fails fast)
     * @throws EditValidationException naming the bad element: not JSON, not a list of [x, y], an odd count,
     *                                 a non-finite number, more than {@code maxPairs} pairs
     */
    public static List<PointPair> parse(String json, int maxPairs) {
        if (json == null || json.isBlank()) {
            throw new EditValidationException("points is missing: expected [[x,y],[x,y],...] handle/target pairs");
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new EditValidationException("points is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isArray()) {
            throw new EditValidationException("points must be a JSON list [[x,y],[x,y],...] of handle/target pairs");
        }
        if (n.isEmpty()) {
            throw new EditValidationException("points is empty: need at least one handle -> target pair");
        }
        if (n.size() % 2 != 0) {
            throw new EditValidationException("points has " + n.size() + " points, an odd count: they are read as "
                    + "handle/target pairs, so the count must be even");
        }
        if (n.size() / 2 > maxPairs) {
            throw new EditValidationException("points has " + n.size() / 2 + " handle/target pairs; at most "
                    + maxPairs + " are allowed");
        }
        List<double[]> xy = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            xy.add(point(n.get(i), i));
        }
        return List.copyOf(EditRequest.pairsFromPoints(xy));
    }

    /** The canonical JSON of the pairs ({@code [[hx,hy],[tx,ty],...]}); {@code parse(toJson(p))} equals p. */
    public static String toJson(List<PointPair> pairs) {
        ArrayNode a = JSON.createArrayNode();
        for (PointPair p : pairs) {
            a.addArray().add(p.hx()).add(p.hy());
            a.addArray().add(p.tx()).add(p.ty());
        }
        return a.toString();
    }

    private static double[] point(JsonNode p, int i) {
        String role = (i % 2 == 0 ? "handle" : "target") + " of pair " + i / 2;
        if (p == null || !p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
            throw new EditValidationException("points[" + i + "] (" + role + ") must be [x, y] with two numbers, got "
                    + p);
        }
        double x = p.get(0).asDouble();
        double y = p.get(1).asDouble();
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new EditValidationException("points[" + i + "] (" + role + ") is not finite: " + p);
        }
        return new double[] {x, y};
    }
}
