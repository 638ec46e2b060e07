package io.rotationdrag.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The drag stage's latest progress, stored by the drag worker under {@code ObjectKeys.dragProgress(jobId)} every
 * few steps and streamed by the gateway (SSE event {@code drag}). The step counter itself also goes through
 * {@code JobStore.progress}; this blob adds what the database row does not hold.
 *
 * @param step        drag steps done
 * @param total       drag step budget
 * @param handles     current handle positions {@code [x, y]} in input-image pixels (same order as the drag pairs)
 * @param loss        motion-supervision loss of the last step, null when unknown
 * @param previewStep step of the latest preview stored under {@code ObjectKeys.preview(jobId, step)}, null = none
 */
public record DragProgress(int step, int total, List<double[]> handles, Double loss, Integer previewStep) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public DragProgress {
        handles = handles == null ? List.of() : List.copyOf(handles);
    }

    public byte[] toBytes() {
        ObjectNode n = JSON.createObjectNode();
        n.put("step", step);
        n.put("total", total);
        ArrayNode hs = n.putArray("handles");
        for (double[] h : handles) {
            hs.addArray().add(h[0]).add(h[1]);
        }
        if (loss != null) {
            n.put("loss", loss);
        }
        if (previewStep != null) {
            n.put("previewStep", previewStep);
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException when the bytes are not a drag progress object */
    public static DragProgress fromBytes(byte[] bytes) {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject() || !n.has("step") || !n.has("total")) {
                throw new IllegalArgumentException("not a drag progress object (needs step and total)");
            }
            List<double[]> hs = new ArrayList<>();
            for (JsonNode h : n.path("handles")) {
                hs.add(new double[] {h.get(0).asDouble(), h.get(1).asDouble()});
            }
            return new DragProgress(n.get("step").asInt(), n.get("total").asInt(), hs,
                    n.hasNonNull("loss") ? n.get("loss").asDouble() : null,
                    n.hasNonNull("previewStep") ? n.get("previewStep").asInt() : null);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("drag progress is not JSON: " + e.getMessage(), e);
        }
    }
}
