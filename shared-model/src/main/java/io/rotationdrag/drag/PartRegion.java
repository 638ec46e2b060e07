package io.rotationdrag.drag;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pixels of the part a handle moves: the user's mask is where the part may go (it is usually drawn larger than
 * the part: the area the part sweeps), so the part itself is cut out of it by colour.
 *
 * <p><b>Rule</b> (image pixels, RGB in 0..255, distances Euclidean in RGB):
 * <ol>
 *   <li><b>Component.</b> C = the 8-connected mask component that holds the handle (rounded); a handle outside the
 *       mask takes the component with the pixel nearest to it; no mask (or an empty one) = the whole image.</li>
 *   <li><b>Surroundings colour</b> b = per-channel median of the pixels just outside C (8-neighbours of C not in
 *       C); when C is the whole image, of the image's border pixels.</li>
 *   <li><b>Part colour</b> p: of the pixels of C within {@value #HANDLE_RADIUS} px of the handle, keep those at
 *       least half as far from b as the farthest one (the handle sits near the part's edge, so its neighbourhood
 *       is part and surroundings mixed), p = their per-channel median; the seed is the kept pixel nearest in
 *       colour to p.</li>
 *   <li>|p - b| &lt; {@value #MIN_CONTRAST}: the part cannot be told from its surroundings, the part is C
 *       ({@link Rule#COMPONENT}).</li>
 *   <li>Otherwise ({@link Rule#COLOUR}): the pixels of C nearer in colour to p than to b and within |p - b| / 3 of
 *       p (so a third colour, such as a fixed body the mask overlaps, stays out), the 8-connected piece of them that
 *       holds the seed, grown by {@value #GROW} px inside C (anti-aliased edge pixels are mixtures of both colours and
 *       belong to the moving part too).</li>
 * </ol>
 * A fixed body inside the mask whose colour is within a third of the contrast of the part's and that touches the
 * part is still taken with it; drawing the mask off the body avoids it.
 */
public final class PartRegion {

    /** Radius (px) of the handle neighbourhood that gives the part colour. */
    public static final int HANDLE_RADIUS = 3;
    /** Smallest part/surroundings colour distance (RGB units) for the colour rule. */
    public static final double MIN_CONTRAST = 30;
    /** A part pixel lies within |p - b| / this of the part colour (keeps a third colour, e.g. a body, out). */
    public static final double TOLERANCE_DIVISOR = 3;
    /** Pixels the colour region grows by inside its component. */
    public static final int GROW = 1;

    /** Which step of the rule decided the region. */
    public enum Rule { COMPONENT, COLOUR }

    /**
     * @param part      row-major, true = the part
     * @param component the mask component (or whole image) the part was cut from
     * @param partRgb   the part colour p (0xRRGGBB)
     * @param surroundingsRgb the surroundings colour b
     */
    public record Region(int width, int height, boolean[] part, boolean[] component, Rule rule, int partRgb,
                         int surroundingsRgb) {
        public int count() {
            int n = 0;
            for (boolean b : part) {
                if (b) {
                    n++;
                }
            }
            return n;
        }

        public boolean get(int x, int y) {
            return x >= 0 && y >= 0 && x < width && y < height && part[y * width + x];
        }
    }

    private PartRegion() {
    }

    /**
     * @param image  the image (any type; read as RGB)
     * @param mask   editable region of the image's size, or null for none
     * @param handle the handle, image pixels
     */
    public static Region of(BufferedImage image, BinaryMask mask, Vec2 handle) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (mask != null && (mask.width() != w || mask.height() != h)) {
            throw new IllegalArgumentException("mask is " + mask.width() + "x" + mask.height() + ", image is " + w + "x"
                    + h);
        }
        if (!handle.inside(w, h)) {
            throw new IllegalArgumentException("handle " + handle + " lies outside the " + w + "x" + h + " image");
        }
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        boolean[] comp = component(mask, handle, w, h);
        int b = surroundings(rgb, comp, w, h);
        int hx = (int) Math.round(handle.x());
        int hy = (int) Math.round(handle.y());
        List<Integer> near = new ArrayList<>();
        double far = 0;
        for (int y = Math.max(0, hy - HANDLE_RADIUS); y <= Math.min(h - 1, hy + HANDLE_RADIUS); y++) {
            for (int x = Math.max(0, hx - HANDLE_RADIUS); x <= Math.min(w - 1, hx + HANDLE_RADIUS); x++) {
                int k = y * w + x;
                if (comp[k] && (x - hx) * (x - hx) + (y - hy) * (y - hy) <= HANDLE_RADIUS * HANDLE_RADIUS) {
                    near.add(k);
                    far = Math.max(far, dist(rgb[k], b));
                }
            }
        }
        if (near.isEmpty()) {
            return new Region(w, h, comp.clone(), comp, Rule.COMPONENT, b, b);
        }
        List<Integer> kept = new ArrayList<>();
        for (int k : near) {
            if (dist(rgb[k], b) >= 0.5 * far) {
                kept.add(k);
            }
        }
        int p = median(rgb, kept);
        if (dist(p, b) < MIN_CONTRAST) {
            return new Region(w, h, comp.clone(), comp, Rule.COMPONENT, p, b);
        }
        int seed = kept.get(0);
        for (int k : kept) {
            if (dist(rgb[k], p) < dist(rgb[seed], p)) {
                seed = k;
            }
        }
        boolean[] similar = new boolean[w * h];
        double tau = dist(p, b) / TOLERANCE_DIVISOR;
        for (int k = 0; k < similar.length; k++) {
            double dp = dist(rgb[k], p);
            similar[k] = comp[k] && dp < dist(rgb[k], b) && dp <= tau;
        }
        boolean[] part = grow(connected(similar, seed, w, h), comp, w, h, GROW);
        return new Region(w, h, part, comp, Rule.COLOUR, p, b);
    }

    /** The union of several regions of one image (e.g. the parts of handles that share an axis). */
    public static boolean[] union(List<Region> regions) {
        boolean[] u = new boolean[regions.get(0).part().length];
        for (Region r : regions) {
            for (int k = 0; k < u.length; k++) {
                u[k] |= r.part()[k];
            }
        }
        return u;
    }

    private static boolean[] component(BinaryMask mask, Vec2 handle, int w, int h) {
        boolean[] all = new boolean[w * h];
        if (mask == null || mask.isEmpty()) {
            Arrays.fill(all, true);
            return all;
        }
        int[] labels = mask.componentLabels();
        int hx = (int) Math.round(handle.x());
        int hy = (int) Math.round(handle.y());
        int label = labels[hy * w + hx];
        if (label == 0) {
            double best = Double.MAX_VALUE;
            for (int k = 0; k < labels.length; k++) {
                if (labels[k] != 0) {
                    double d = Math.hypot(k % w - handle.x(), k / w - handle.y());
                    if (d < best) {
                        best = d;
                        label = labels[k];
                    }
                }
            }
        }
        for (int k = 0; k < labels.length; k++) {
            all[k] = labels[k] == label;
        }
        return all;
    }

    private static int surroundings(int[] rgb, boolean[] comp, int w, int h) {
        List<Integer> ring = new ArrayList<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = y * w + x;
                if (comp[k]) {
                    continue;
                }
                boolean touches = false;
                for (int dy = -1; dy <= 1 && !touches; dy++) {
                    for (int dx = -1; dx <= 1 && !touches; dx++) {
                        int nx = x + dx;
                        int ny = y + dy;
                        touches = nx >= 0 && ny >= 0 && nx < w && ny < h && comp[ny * w + nx];
                    }
                }
                if (touches) {
                    ring.add(k);
                }
            }
        }
        if (ring.isEmpty()) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                        ring.add(y * w + x);
                    }
                }
            }
        }
        return median(rgb, ring);
    }

    private static int median(int[] rgb, List<Integer> idx) {
        int n = idx.size();
        int[] r = new int[n];
        int[] g = new int[n];
        int[] b = new int[n];
        for (int i = 0; i < n; i++) {
            int c = rgb[idx.get(i)];
            r[i] = (c >> 16) & 0xFF;
            g[i] = (c >> 8) & 0xFF;
            b[i] = c & 0xFF;
        }
        Arrays.sort(r);
        Arrays.sort(g);
        Arrays.sort(b);
        return (r[n / 2] << 16) | (g[n / 2] << 8) | b[n / 2];
    }

    static double dist(int a, int b) {
        double dr = ((a >> 16) & 0xFF) - ((b >> 16) & 0xFF);
        double dg = ((a >> 8) & 0xFF) - ((b >> 8) & 0xFF);
        double db = (a & 0xFF) - (b & 0xFF);
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    private static boolean[] connected(boolean[] in, int seed, int w, int h) {
        boolean[] out = new boolean[in.length];
        if (!in[seed]) {
            return out;
        }
        int[] stack = new int[in.length];
        int top = 0;
        stack[top++] = seed;
        out[seed] = true;
        while (top > 0) {
            int k = stack[--top];
            int x = k % w;
            int y = k / w;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = x + dx;
                    int ny = y + dy;
                    if (nx >= 0 && ny >= 0 && nx < w && ny < h) {
                        int nk = ny * w + nx;
                        if (in[nk] && !out[nk]) {
                            out[nk] = true;
                            stack[top++] = nk;
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean[] grow(boolean[] in, boolean[] within, int w, int h, int steps) {
        boolean[] cur = in;
        for (int s = 0; s < steps; s++) {
            boolean[] next = cur.clone();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (!cur[y * w + x]) {
                        continue;
                    }
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int nx = x + dx;
                            int ny = y + dy;
                            if (nx >= 0 && ny >= 0 && nx < w && ny < h && within[ny * w + nx]) {
                                next[ny * w + nx] = true;
                            }
                        }
                    }
                }
            }
            cur = next;
        }
        return cur;
    }
}
