package io.rotationdrag.eval;

/**
 * Where {@link RotationAngleMetric} gets the content "as it would look turned by a": the candidate templates the
 * edit is compared with. Two strategies:
 * <ul>
 *   <li>{@link RotatedSourceTemplates} rotates the source image about the axis (works on any edit, but whatever
 *       else lies inside the mask, e.g. a fixed body or a gradient, turns with it);</li>
 *   <li>{@code io.rotationdrag.synth.SceneTemplates} re-renders a known scene with only the part turned (exact).</li>
 * </ul>
 */
public interface TemplateSource {

    /**
     * The content turned by an angle at a list of pixels: {@code rgb[c][i]} in [0, 255] is channel c at the i-th
     * requested pixel, {@code valid[i]} whether it has a value (null = all have).
     */
    record Template(double[][] rgb, boolean[] valid) {
        public Template {
            if (rgb == null || rgb.length != 3) {
                throw new IllegalArgumentException("template needs 3 RGB planes");
            }
            if (rgb[1].length != rgb[0].length || rgb[2].length != rgb[0].length
                    || (valid != null && valid.length != rgb[0].length)) {
                throw new IllegalArgumentException("template planes and validity differ in length");
            }
        }

        /** True where the template has a value (a rotated image has none where it came from outside the frame). */
        public boolean valid(int i) {
            return valid == null || valid[i];
        }
    }

    /** Short name of the strategy, reported with the metric ("rotate-source", "re-render"). */
    String name();

    int width();

    int height();

    /**
     * The content turned by {@code degrees} about the axis at {@code pixels} (row-major indices y * width + x),
     * counter-clockwise on screen for positive angles (the convention of {@link io.rotationdrag.drag.Rotation}:
     * content at p lands at rotatePoint(p, axis, degrees)).
     */
    Template at(double degrees, int[] pixels);
}
