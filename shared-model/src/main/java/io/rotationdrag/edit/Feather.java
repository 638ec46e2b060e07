package io.rotationdrag.edit;

import java.util.ArrayDeque;

/**
 * Soft region edges on a pixel grid, by chessboard distance (8-neighbour steps).
 *
 * <p>{@link #inside}: alpha(p) = min(1, d(p) / F) inside the region, 0 outside it, where d(p) = the chessboard
 * distance from p to the nearest pixel outside the region (1 for a region pixel that touches the outside). So every
 * pixel outside the region has alpha exactly 0, and pixels at least F steps deep have exactly 1. The image border
 * is not an edge (a region that reaches it stays opaque there).
 */
final class Feather {

    private Feather() {
    }

    static float[] inside(boolean[] region, int w, int h, double featherPx) {
        if (region.length != w * h) {
            throw new IllegalArgumentException("region has " + region.length + " pixels, expected " + w * h);
        }
        if (!(featherPx > 0)) {
            throw new IllegalArgumentException("feather must be positive, got " + featherPx);
        }
        int[] d = distanceToOutside(region, w, h);
        float[] a = new float[region.length];
        for (int k = 0; k < a.length; k++) {
            a[k] = region[k] ? (float) Math.min(1.0, d[k] / featherPx) : 0f;
        }
        return a;
    }

    /** Chessboard distance of each pixel to the nearest pixel outside the region (0 outside; MAX when none is). */
    static int[] distanceToOutside(boolean[] region, int w, int h) {
        int[] d = new int[region.length];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int k = 0; k < d.length; k++) {
            if (region[k]) {
                d[k] = Integer.MAX_VALUE;
            } else {
                queue.add(k);
            }
        }
        while (!queue.isEmpty()) {
            int k = queue.poll();
            int x = k % w;
            int y = k / w;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = x + dx;
                    int ny = y + dy;
                    if (nx >= 0 && ny >= 0 && nx < w && ny < h) {
                        int nk = ny * w + nx;
                        if (d[nk] > d[k] + 1) {
                            d[nk] = d[k] + 1;
                            queue.add(nk);
                        }
                    }
                }
            }
        }
        return d;
    }

    /** The region grown by {@code steps} 8-neighbour steps. */
    static boolean[] dilate(boolean[] region, int w, int h, int steps) {
        boolean[] inv = new boolean[region.length];
        for (int k = 0; k < inv.length; k++) {
            inv[k] = !region[k];
        }
        int[] d = distanceToOutside(inv, w, h); // distance of a non-region pixel to the region
        boolean[] out = new boolean[region.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = region[k] || d[k] <= steps;
        }
        return out;
    }
}
