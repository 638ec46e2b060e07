package io.rotationdrag.edit;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * One edit: the input image, the editable-region mask (null = everything editable; any non-zero pixel is editable),
 * point pairs in input-image pixels, the prompt (null is read as empty) and the options (null = defaults).
 * Validation happens in {@link EditValidator} when a stage runs, so that errors carry a user-facing message.
 */
public record EditRequest(BufferedImage image, BufferedImage mask, List<PointPair> points, String prompt,
                          EditOptions options) {

    public EditRequest {
        points = points == null ? List.of() : List.copyOf(points);
        prompt = prompt == null ? "" : prompt;
        options = options == null ? EditOptions.defaults() : options;
    }

    public EditRequest withOptions(EditOptions o) {
        return new EditRequest(image, mask, points, prompt, o);
    }

    /**
     * Pairs from a flat list x0, y0, x1, y1, ... alternating handle and target (DragBench's {@code points} order):
     * handle (x0, y0) -> target (x1, y1), and so on.
     */
    public static List<PointPair> pairsFromFlat(double[] xy) {
        if (xy == null || xy.length == 0) {
            throw new EditValidationException("no points given: need at least one handle and one target");
        }
        if (xy.length % 2 != 0) {
            throw new EditValidationException("odd number of coordinates (" + xy.length + "): points are x,y pairs");
        }
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < xy.length; i += 2) {
            pts.add(new double[]{xy[i], xy[i + 1]});
        }
        return pairsFromPoints(pts);
    }

    /** Pairs from a list of [x, y] points alternating handle and target; an odd count is an error. */
    public static List<PointPair> pairsFromPoints(List<double[]> pts) {
        if (pts == null || pts.isEmpty()) {
            throw new EditValidationException("no points given: need at least one handle and one target");
        }
        if (pts.size() % 2 != 0) {
            throw new EditValidationException("odd number of points (" + pts.size()
                    + "): points alternate handle and target, so every handle needs a target");
        }
        List<PointPair> out = new ArrayList<>();
        for (int i = 0; i < pts.size(); i += 2) {
            double[] h = pts.get(i);
            double[] t = pts.get(i + 1);
            if (h == null || t == null || h.length != 2 || t.length != 2) {
                throw new EditValidationException("point " + (h == null || h.length != 2 ? i : i + 1)
                        + " is not an [x, y] pair");
            }
            out.add(new PointPair(h[0], h[1], t[0], t[1]));
        }
        return out;
    }
}
