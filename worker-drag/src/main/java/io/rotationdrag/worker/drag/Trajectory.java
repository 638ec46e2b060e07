package io.rotationdrag.worker.drag;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.edit.PointPair;
import io.rotationdrag.edit.ProgressEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * The handle trajectory of a drag, collected from the engine's drag progress events (handles in input-image
 * pixels after each step), stored as {@code result/trajectory.json}:
 * {@code {"handles0":[[x,y]..], "targets":[[x,y]..], "steps":[{"step":1,"loss":..,"handles":[[x,y]..]}..]}}.
 */
final class Trajectory {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<PointPair> drags = new ArrayList<>();
    private final List<ProgressEvent> events = new ArrayList<>();

    Trajectory(List<PointPair> points) {
        for (PointPair p : points) {
            if (!p.isAxis()) {
                drags.add(p);
            }
        }
    }

    void add(ProgressEvent e) {
        if (!e.handles().isEmpty()) {
            events.add(e);
        }
    }

    int steps() {
        return events.isEmpty() ? 0 : events.get(events.size() - 1).step();
    }

    List<double[]> finalHandles() {
        return events.isEmpty() ? List.of() : events.get(events.size() - 1).handles();
    }

    /** Mean distance of the final handles to their targets (input pixels); NaN before any step. */
    double meanDistanceToTargets() {
        List<double[]> h = finalHandles();
        if (h.isEmpty() || h.size() != drags.size()) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = 0; i < h.size(); i++) {
            s += Math.hypot(h.get(i)[0] - drags.get(i).tx(), h.get(i)[1] - drags.get(i).ty());
        }
        return s / h.size();
    }

    String toJson() {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode h0 = n.putArray("handles0");
        ArrayNode t = n.putArray("targets");
        for (PointPair p : drags) {
            h0.addArray().add(p.hx()).add(p.hy());
            t.addArray().add(p.tx()).add(p.ty());
        }
        ArrayNode steps = n.putArray("steps");
        for (ProgressEvent e : events) {
            ObjectNode s = steps.addObject();
            s.put("step", e.step());
            if (e.loss() != null && Double.isFinite(e.loss())) {
                s.put("loss", e.loss());
            }
            ArrayNode hs = s.putArray("handles");
            for (double[] xy : e.handles()) {
                hs.addArray().add(xy[0]).add(xy[1]);
            }
        }
        return n.toString();
    }
}
