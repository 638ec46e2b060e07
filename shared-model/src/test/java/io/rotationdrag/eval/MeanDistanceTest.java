package io.rotationdrag.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class MeanDistanceTest {

    static FeatureMap randomGrid(int c, int h, int w, int imgH, int imgW, long seed) {
        Random r = new Random(seed);
        float[] d = new float[c * h * w];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return new FeatureMap(c, h, w, d, imgH, imgW);
    }

    /** The grid shifted by (dx, dy) cells: shifted(y, x) = g(y - dy, x - dx); cells shifted in are random. */
    static FeatureMap shifted(FeatureMap g, int dx, int dy, long seed) {
        Random r = new Random(seed);
        float[] d = new float[g.data().length];
        for (int c = 0; c < g.channels(); c++) {
            for (int y = 0; y < g.height(); y++) {
                for (int x = 0; x < g.width(); x++) {
                    int sy = y - dy;
                    int sx = x - dx;
                    d[(c * g.height() + y) * g.width() + x] = sy >= 0 && sy < g.height() && sx >= 0 && sx < g.width()
                            ? g.at(c, sy, sx) : (float) r.nextGaussian();
                }
            }
        }
        return new FeatureMap(g.channels(), g.height(), g.width(), d, g.imageHeight(), g.imageWidth());
    }

    @Test
    void exactMatcherAgreesWithMaterialisedUpsampling() {
        // Non-square, non-integer scale: 5x7 cells -> 23x31 pixels, 6 channels.
        FeatureMap src = randomGrid(6, 5, 7, 23, 31, 1);
        FeatureMap dst = randomGrid(6, 5, 7, 23, 31, 2);
        float[][] up = Bilinear.resize(planes(dst), 5, 7, 23, 31);
        float[][] upSrc = Bilinear.resize(planes(src), 5, 7, 23, 31);
        DiftMatcher m = new DiftMatcher(dst);
        for (int[] h : new int[][]{{0, 0}, {30, 22}, {13, 9}, {4, 17}}) {
            float[] s = DiftMatcher.sourceVector(src, h[0], h[1]);
            for (int c = 0; c < 6; c++) {
                assertEquals(upSrc[c][h[1] * 31 + h[0]], s[c], 1e-5f);
            }
            // brute force: cosine against every upsampled pixel, first arg-max in row-major order
            double best = -2;
            int bi = -1;
            for (int i = 0; i < 23 * 31; i++) {
                double dot = 0, n1 = 0, n2 = 0;
                for (int c = 0; c < 6; c++) {
                    dot += s[c] * up[c][i];
                    n1 += s[c] * s[c];
                    n2 += up[c][i] * up[c][i];
                }
                double cos = dot / Math.max(Math.sqrt(n1) * Math.sqrt(n2), 1e-8);
                if (cos > best + 1e-12) {
                    best = cos;
                    bi = i;
                }
            }
            assertArrayEquals(new int[]{bi % 31, bi / 31}, m.match(s));
        }
    }

    @Test
    void identicalMapsGiveZeroDistanceForHandleEqualsTarget() {
        FeatureMap g = randomGrid(16, 8, 8, 64, 64, 3);
        List<PairMatch> r = MeanDistance.match(g, g, List.of(new HandleTarget(20, 37, 20, 37),
                new HandleTarget(9, 50, 9, 50)));
        for (PairMatch p : r) {
            assertEquals(0.0, p.distance());
        }
        assertEquals(0.0, MeanDistance.mean(MeanDistance.MD_AXIS, r, true).require());
        assertFalse(MeanDistance.mean(MeanDistance.MD, r, false).available());

        // Known limit of the recipe (torch behaves the same): within half a cell of the border the upsampled
        // vectors are constant (source index clamped), so all those pixels tie and the first in row-major order
        // wins: handle (3, 60) with 8 px cells is matched at (0, 60), 3 px off.
        PairMatch edge = MeanDistance.match(g, g, List.of(new HandleTarget(3, 60, 3, 60))).get(0);
        assertArrayEquals(new int[]{0, 60}, new int[]{edge.matchX(), edge.matchY()});
    }

    @Test
    void knownShiftGivesTheResidualDistance() {
        // Features of the edited image = source features shifted by (2, -1) cells = (16, -8) pixels at 8 px/cell.
        // Bilinear upsampling commutes with whole-cell shifts away from the border, so the handle content is found
        // exactly at handle + (16, -8); with target = handle + (16, -8) + (3, 4), MD = 5.
        FeatureMap src = randomGrid(32, 12, 12, 96, 96, 4);
        FeatureMap dst = shifted(src, 2, -1, 5);
        HandleTarget p1 = new HandleTarget(30, 50, 30 + 16 + 3, 50 - 8 + 4);
        HandleTarget p2 = new HandleTarget(45, 61, 45 + 16, 61 - 8);      // exact: distance 0
        HandleTarget p3 = new HandleTarget(20, 40, 20 + 16 - 6, 40 - 8); // residual 6
        List<PairMatch> r = MeanDistance.match(src, dst, List.of(p1, p2, p3));
        assertArrayEquals(new int[]{46, 42}, new int[]{r.get(0).matchX(), r.get(0).matchY()});
        assertEquals(5.0, r.get(0).distance(), 1e-12);
        assertEquals(0.0, r.get(1).distance(), 1e-12);
        assertEquals(6.0, r.get(2).distance(), 1e-12);
        assertEquals(11.0 / 3, MeanDistance.mean(MeanDistance.MD, r, false).require(), 1e-12);

        // Content distance vs a "ground truth" map that moved the content by the same shift is 0.
        assertEquals(0.0, MeanDistance.contentDistance(r, MeanDistance.match(src, dst, List.of(p1, p2, p3)))
                .require());
    }

    /** The grid rotated 90 degrees on screen: rotated[r][c] = g[c][n-1-r] (square grids). */
    static FeatureMap rotated90(FeatureMap g) {
        int n = g.height();
        float[] d = new float[g.data().length];
        for (int c = 0; c < g.channels(); c++) {
            for (int r = 0; r < n; r++) {
                for (int col = 0; col < n; col++) {
                    d[(c * n + r) * n + col] = g.at(c, col, n - 1 - r);
                }
            }
        }
        return new FeatureMap(g.channels(), n, n, d, g.imageHeight(), g.imageWidth());
    }

    @Test
    void knownRotationMovesContentToTheRotatedPixel() {
        // A 90-degree rotation of a square map commutes with align_corners=False bilinear upsampling (pixel centre
        // (p + 0.5) / s - 0.5 is symmetric under p -> S - 1 - p), so pixel (x, y) goes exactly to (y, S - 1 - x).
        // Targets at the rotated pixel give MD 0; targets 3-4-5 off it give 5.
        FeatureMap src = randomGrid(24, 10, 10, 80, 80, 6);
        FeatureMap dst = rotated90(src);
        HandleTarget exact = new HandleTarget(21, 50, 50, 80 - 1 - 21);
        HandleTarget off = new HandleTarget(37, 28, 28 + 3, 80 - 1 - 37 - 4);
        List<PairMatch> r = MeanDistance.match(src, dst, List.of(exact, off));
        assertArrayEquals(new int[]{50, 58}, new int[]{r.get(0).matchX(), r.get(0).matchY()});
        assertArrayEquals(new int[]{28, 42}, new int[]{r.get(1).matchX(), r.get(1).matchY()});
        assertEquals(0.0, r.get(0).distance(), 1e-12);
        assertEquals(5.0, r.get(1).distance(), 1e-12);
        assertEquals(2.5, MeanDistance.mean(MeanDistance.MD, r, false).require(), 1e-12);
    }

    private static float[][] planes(FeatureMap g) {
        float[][] p = new float[g.channels()][g.height() * g.width()];
        for (int c = 0; c < g.channels(); c++) {
            System.arraycopy(g.data(), c * g.height() * g.width(), p[c], 0, g.height() * g.width());
        }
        return p;
    }
}
