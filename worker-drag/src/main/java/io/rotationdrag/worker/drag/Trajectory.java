package io.rotationdrag.worker.drag;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotationdrag.edit.PointPair;

import java.util.ArrayList;
import java.util.List;

/**
 * The handle trajectory file {@code result/trajectory.json} of a drag, from the DragOutcome:
 * {@code {"targets":[[x,y]..], "handles":[[[x,y]..] per iteration], "angles":[[deg..] per iteration],
 * "losses":[..], "steps":n, "stopReason":".."}}; positions in input-image pixels, one entry per drag pair in
 * request order (rotation axes are not handles).
 */
final class Trajectory {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Trajectory() {
    }

    static List<PointPair> drags(List<PointPair> points) {
        List<PointPair> d = new ArrayList<>();
        for (PointPair p : points) {
            if (!p.isAxis()) {
                d.add(p);
            }
        }
        return d;
    }

    /** Mean distance of the final handles to their targets (input pixels); NaN when they do not pair up. */
    static double meanDistanceToTargets(List<PointPair> points, DragResult r) {
        List<PointPair> drags = drags(points);
        if (r.trajectory().isEmpty()) {
            return Double.NaN;
        }
        List<double[]> h = r.trajectory().get(r.trajectory().size() - 1);
        if (h.size() != drags.size() || h.isEmpty()) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = 0; i < h.size(); i++) {
            s += Math.hypot(h.get(i)[0] - drags.get(i).tx(), h.get(i)[1] - drags.get(i).ty());
        }
        return s / h.size();
    }

    static String toJson(List<PointPair> points, DragResult r) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode t = n.putArray("targets");
        for (PointPair p : drags(points)) {
            t.addArray().add(p.tx()).add(p.ty());
        }
        ArrayNode hs = n.putArray("handles");
        for (List<double[]> it : r.trajectory()) {
            ArrayNode a = hs.addArray();
            for (double[] xy : it) {
                a.addArray().add(xy[0]).add(xy[1]);
            }
        }
        ArrayNode an = n.putArray("angles");
        for (double[] it : r.angles()) {
            ArrayNode a = an.addArray();
            for (double v : it) {
                a.add(v);
            }
        }
        ArrayNode ls = n.putArray("losses");
        r.losses().forEach(ls::add);
        n.put("steps", r.steps());
        n.put("stopReason", r.stopReason());
        return n.toString();
    }
}
