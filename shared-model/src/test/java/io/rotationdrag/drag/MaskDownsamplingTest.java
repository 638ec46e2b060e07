package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Issue 16: the mask reaches the latent through a down-sampling; a thin swept stroke (the way users paint the region
 * a part turns through) must keep every latent cell it touches. Measured here for both rules.
 */
class MaskDownsamplingTest {

    /** An arc of radius {@code r} about (cx, cy) from 0 to {@code sweep} degrees, painted with a round brush. */
    static BinaryMask sweptStroke(int size, double cx, double cy, double r, double sweep, double brush) {
        boolean[] d = new boolean[size * size];
        for (double a = 0; a <= sweep; a += 0.25) {
            double px = cx + r * Math.cos(Math.toRadians(a));
            double py = cy - r * Math.sin(Math.toRadians(a));
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    if (Math.hypot(x - px, y - py) <= brush) {
                        d[y * size + x] = true;
                    }
                }
            }
        }
        return new BinaryMask(size, size, d);
    }

    /** Latent cells (factor f) holding at least one painted pixel: counted pixel by pixel, independent of both rules. */
    static boolean[] touched(BinaryMask m, int f) {
        int lw = m.width() / f;
        boolean[] t = new boolean[lw * (m.height() / f)];
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                if (m.get(x, y)) {
                    t[(y / f) * lw + x / f] = true;
                }
            }
        }
        return t;
    }

    @Test
    void anyRuleKeepsEveryTouchedCellOfThinStrokes() {
        int[][] cases = {{64, 4}, {64, 8}, {256, 8}};
        for (int[] c : cases) {
            int size = c[0];
            int f = c[1];
            for (double brush : new double[] {0.7, 1.5, 2.5}) {
                BinaryMask stroke = sweptStroke(size, size / 2.0, size / 2.0, size * 0.3, 70, brush);
                boolean[] want = touched(stroke, f);
                BinaryMask any = stroke.resizeAny(size / f, size / f);
                BinaryMask nearest = stroke.resizeNearest(size / f, size / f);
                int nWant = 0;
                int nAny = 0;
                int nNearest = 0;
                for (int k = 0; k < want.length; k++) {
                    boolean a = any.get(k % (size / f), k / (size / f));
                    nWant += want[k] ? 1 : 0;
                    nAny += a ? 1 : 0;
                    nNearest += nearest.get(k % (size / f), k / (size / f)) ? 1 : 0;
                    assertEquals(want[k], a, "cell " + k + " (size " + size + ", factor " + f + ", brush " + brush
                            + ")");
                }
                System.out.printf("size %d factor %d brush %.1f: touched %d, any-pixel keeps %d, top-left keeps %d%n",
                        size, f, brush, nWant, nAny, nNearest);
                if (brush < 1) {
                    assertTrue(nNearest < nWant, "the top-left rule loses cells of a 1-2 px stroke");
                }
            }
        }
    }

    @Test
    void anyRuleOnExactMultiplesAndOddSizes() {
        BinaryMask one = new BinaryMask(8, 8, new boolean[64]);
        boolean[] d = new boolean[64];
        d[7 * 8 + 7] = true; // bottom-right pixel only
        one = new BinaryMask(8, 8, d);
        BinaryMask r = one.resizeAny(2, 2);
        assertTrue(r.get(1, 1));
        assertEquals(1, r.count());
        // non-divisible: 10 -> 3 blocks [0,4) [3,7) [6,10): pixel 3 lies in the first two
        boolean[] e = new boolean[10];
        e[3] = true;
        BinaryMask line = new BinaryMask(10, 1, e).resizeAny(3, 1);
        assertTrue(line.get(0, 0) && line.get(1, 0) && !line.get(2, 0));
    }
}
