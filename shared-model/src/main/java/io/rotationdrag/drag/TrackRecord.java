package io.rotationdrag.drag;

/**
 * What a tracker did for one handle in one {@link PointTracker#track} call (feature cells, x right, y down).
 *
 * @param handle         the handle's index
 * @param before         position before this update (rounded, clamped)
 * @param after          the new position: the window cell nearest to the template
 * @param branch         which template was used
 * @param angleDegrees   the handle's angle about its axis, product sense (counter-clockwise on screen positive);
 *                       NaN for trackers without axes
 * @param appliedDegrees the rotation applied to the source for a {@link Branch#ROTATED} template (in the tracker's
 *                       angle sense; the bin centre in cached mode), NaN otherwise
 * @param templatePoint  where the template was read: the initial handle, or the initial handle turned by
 *                       {@code appliedDegrees} in the rotated source's features
 * @param template       the template vector [C]
 * @param windowX0       column of the search window's first cell
 * @param windowY0       row of the search window's first cell
 * @param windowWidth    window columns (2 r_p + 1 unless clamped at the map border)
 * @param windowHeight   window rows
 * @param distances      L1 distance of each window cell to the template, row-major [windowHeight x windowWidth]
 */
public record TrackRecord(int handle, Vec2 before, Vec2 after, Branch branch, double angleDegrees,
                          double appliedDegrees, Vec2 templatePoint, float[] template, int windowX0, int windowY0,
                          int windowWidth, int windowHeight, float[] distances) {

    /** The template a handle update used. */
    public enum Branch {
        /** F0 at the initial handle (DragDiffusion; RotationDrag under the threshold or when out of the map). */
        PLAIN,
        /** A feature of the rotated source (RotationDrag past the threshold). */
        ROTATED,
        /** A template updated from the tracked features (FreeDrag-style blends). */
        BLENDED
    }

    /** Distance of window cell (column {@code x}, row {@code y}) in feature cells. */
    public float distanceAt(int x, int y) {
        return distances[(y - windowY0) * windowWidth + (x - windowX0)];
    }
}
