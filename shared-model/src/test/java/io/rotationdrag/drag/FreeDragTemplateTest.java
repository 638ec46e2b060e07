package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FreeDrag's template update and settle rules on plain arrays, and its patch distances on a small feature map. */
class FreeDragTemplateTest {

    @Test
    void weightFollowsThePublishedSigmoid() {
        for (double lExp : new double[] {1.0, 2.5}) {
            FreeDragConfig c = FreeDragConfig.published().withExpectedLoss(lExp);
            // a = ln 9 / (0.6 l), b = 0.2 l: 1/2 at b, 1/10 at b + 0.6 l, 9/10 at b - 0.6 l
            assertEquals(0.5, FreeDragTemplate.weight(c, 0.2 * lExp, false), 1e-12);
            assertEquals(0.1, FreeDragTemplate.weight(c, 0.8 * lExp, false), 1e-12);
            assertEquals(0.9, FreeDragTemplate.weight(c, -0.4 * lExp, false), 1e-12);
            // decreasing in the loss: a poor match hardly changes the template
            assertTrue(FreeDragTemplate.weight(c, 3 * lExp, false) < 1e-4);
            // a settled handle takes the current feature as it is
            assertEquals(1.0, FreeDragTemplate.weight(c, 0.4 * lExp, true));
        }
    }

    @Test
    void settledNeedsBothNearnessAndAGoodMatch() {
        FreeDragConfig c = FreeDragConfig.published(); // threshold_d 2 cells, threshold_l 0.5
        assertTrue(FreeDragTemplate.settled(c, 1.99, 0.5));
        assertFalse(FreeDragTemplate.settled(c, 2.0, 0.1), "the distance must be strictly below threshold_d");
        assertFalse(FreeDragTemplate.settled(c, 0.0, 0.51), "a poor match at the target is not settled");
        assertTrue(FreeDragTemplate.settled(c.withReachDistance(4), 3.5, 0.2));
    }

    @Test
    void updateBlendsByTheWeightAndDistanceIsTheMeanL1() {
        FreeDragConfig c = FreeDragConfig.published();
        float[] t0 = {1, -2, 3, 0.5f};
        float[] now = {2, -2, 1, 1.5f};
        FreeDragTemplate t = new FreeDragTemplate(c, t0);
        // mean |now - t0| = (1 + 0 + 2 + 1) / 4
        assertEquals(1.0, t.distance(now), 1e-12);
        double lambda = t.update(now, 0.8, false); // 0.1 at 0.8 l_exp
        assertEquals(0.1, lambda, 1e-12);
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = (float) (0.1 * now[i] + 0.9 * t0[i]);
        }
        assertArrayEquals(expected, t.values(), 1e-6f);
        assertEquals(1.0f, t0[0], "the initial array is copied, not kept");
        t.update(now, 5.0, true);
        assertArrayEquals(now, t.values(), 0f);
        assertEquals(0.0, t.distance(now), 0);
        assertThrows(IllegalArgumentException.class, () -> t.update(new float[3], 0, false));
        assertThrows(IllegalArgumentException.class, () -> t.distance(new float[5]));
        assertThrows(IllegalArgumentException.class, () -> new FreeDragTemplate(c, new float[0]));
    }

    /**
     * dist(c) on a real map: zero where the template was taken, and at integral candidates equal to the mean L1
     * computed by direct indexing (r = 1, away from the border).
     */
    @Test
    void candidateDistancesMatchDirectIndexing() {
        int ch = 3;
        int h = 10;
        int w = 12;
        float[] data = new float[ch * h * w];
        Random rnd = new Random(11);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        Engine.getInstance();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.create(data, new Shape(ch, h, w));
            int r = 1;
            float[] tpl = FreeDragOptimizer.patchValues(f, Vec2.of(4, 5), r);
            assertEquals(ch * 9, tpl.length);
            // layout [C, samples], sample k = (dy + r) * 3 + (dx + r)
            assertEquals(data[(2 * h + 6) * w + 5], tpl[2 * 9 + 2 * 3 + 2], 1e-6f);
            List<Vec2> cands = List.of(Vec2.of(4, 5), Vec2.of(7, 3), Vec2.of(5, 5), Vec2.of(4.5, 5));
            double[] d = FreeDragOptimizer.candidateDistances(f, cands, tpl, r);
            assertEquals(4, d.length);
            assertEquals(0, d[0], 1e-6);
            for (int k = 1; k <= 2; k++) {
                int cx = (int) cands.get(k).x();
                int cy = (int) cands.get(k).y();
                double s = 0;
                for (int c = 0; c < ch; c++) {
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            float v = data[(c * h + cy + dy) * w + cx + dx];
                            s += Math.abs(v - tpl[c * 9 + (dy + 1) * 3 + (dx + 1)]);
                        }
                    }
                }
                assertEquals(s / (ch * 9), d[k], 1e-5, "candidate " + cands.get(k));
            }
            // half way between two cells the patch is the mean of both patches, so (triangle inequality) the
            // distance is at most the mean of theirs
            assertTrue(d[3] <= 0.5 * (d[0] + d[2]) + 1e-6);
            assertTrue(d[3] > 0);
        }
    }
}
