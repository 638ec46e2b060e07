package io.rotationdrag.edit;

import io.rotationdrag.drag.Vec2;

/**
 * The latent-space half of the region methods: the same part motion applied to a latent [1, C, h, w] (the inverted
 * z_t, or the noise implied by it).
 * <ul>
 *   <li>Part cells: a cell belongs to a part when at least half of its pixels do
 *       ({@link RegionMotion#partFraction}); a part too thin for that keeps the cells it touches at all.</li>
 *   <li>Moved cells: cell q takes all channels of the cell nearest to s = T^-1(q) when that cell is a part cell
 *       (nearest-neighbour, not bilinear, so a noisy latent keeps its per-element variance), part after part.</li>
 *   <li>Uncovered cells (part cells nothing moved into) are filled by FastDrag's bilateral nearest-neighbour
 *       interpolation: in each of the four directions (left, right, up, down) walk to the nearest background cell
 *       (neither a part cell nor a moved cell) and average those, weighted by 1 / distance; with none found the
 *       cell keeps its own value.</li>
 *   <li>Every other cell is left bit for bit.</li>
 * </ul>
 */
final class LatentRegionWarp {

    /** Share of a cell's pixels that makes it a part cell. */
    static final float PART_CELL_FRACTION = 0.5f;

    private LatentRegionWarp() {
    }

    /** The part cells of each part on a w x h latent grid. */
    static boolean[][] partCells(RegionMotion motion, int w, int h) {
        int n = motion.parts().size();
        boolean[][] cells = new boolean[n][];
        for (int i = 0; i < n; i++) {
            float[] f = motion.partFraction(i, w, h);
            boolean[] c = new boolean[w * h];
            boolean any = false;
            for (int k = 0; k < c.length; k++) {
                c[k] = f[k] >= PART_CELL_FRACTION;
                any |= c[k];
            }
            if (!any) {
                for (int k = 0; k < c.length; k++) {
                    c[k] = f[k] > 0;
                }
            }
            cells[i] = c;
        }
        return cells;
    }

    /** The warped latent, row-major as {@code z}. */
    static float[] warp(float[] z, long[] shape, RegionMotion motion) {
        int ch = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int hw = h * w;
        if (shape[0] != 1 || z.length != ch * hw) {
            throw new IllegalArgumentException("latent must be [1, C, h, w] with matching data");
        }
        boolean[][] cells = partCells(motion, w, h);
        float[] out = z.clone();
        boolean[] moved = new boolean[hw];
        boolean[] anyPart = new boolean[hw];
        for (int i = 0; i < cells.length; i++) {
            for (int k = 0; k < hw; k++) {
                anyPart[k] |= cells[i][k];
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    Vec2 s = motion.sourceOnGrid(i, new Vec2(x, y), w, h);
                    int sx = (int) Math.round(s.x());
                    int sy = (int) Math.round(s.y());
                    if (sx < 0 || sy < 0 || sx >= w || sy >= h || !cells[i][sy * w + sx]) {
                        continue;
                    }
                    int k = y * w + x;
                    for (int c = 0; c < ch; c++) {
                        out[c * hw + k] = z[c * hw + sy * w + sx];
                    }
                    moved[k] = true;
                }
            }
        }
        boolean[] background = new boolean[hw];
        for (int k = 0; k < hw; k++) {
            background[k] = !anyPart[k] && !moved[k];
        }
        int[][] dirs = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = y * w + x;
                if (!anyPart[k] || moved[k]) {
                    continue;
                }
                double[] acc = new double[ch];
                double wsum = 0;
                for (int[] d : dirs) {
                    for (int step = 1; ; step++) {
                        int nx = x + d[0] * step;
                        int ny = y + d[1] * step;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) {
                            break;
                        }
                        int nk = ny * w + nx;
                        if (background[nk]) {
                            double wt = 1.0 / step;
                            for (int c = 0; c < ch; c++) {
                                acc[c] += wt * z[c * hw + nk];
                            }
                            wsum += wt;
                            break;
                        }
                    }
                }
                if (wsum > 0) {
                    for (int c = 0; c < ch; c++) {
                        out[c * hw + k] = (float) (acc[c] / wsum);
                    }
                }
            }
        }
        return out;
    }
}
