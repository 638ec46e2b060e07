package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * FreeDrag's localisation rules on synthetic patch distances (no UNet): the distance function stands for
 * mean |patch(F, c) - T|.
 */
class FreeDragLineSearchTest {

    private static final FreeDragConfig CFG = FreeDragConfig.published(); // l_exp 1, d_max 5, 10 candidates
    private static final double EPS = 1e-12;

    /** Feature change proportional to the displacement from {@code origin}: dist(c) = slope |c - origin|. */
    private static FreeDragLineSearch.PatchDistances linear(Vec2 origin, double slope, List<List<Vec2>> calls) {
        return cs -> {
            calls.add(cs);
            double[] d = new double[cs.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = slope * cs.get(i).distance(origin);
            }
            return d;
        };
    }

    private static final FreeDragLineSearch.PatchDistances NEVER = cs -> {
        throw new AssertionError("HOLD must not look at the features");
    };

    @Test
    void candidatesAreEvenlySpacedUpToTheRangeAndNeverPastTheTarget() {
        List<Vec2> c = FreeDragLineSearch.candidates(Vec2.of(2, 3), Vec2.of(22, 3), 5, 10);
        assertEquals(10, c.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(2 + 0.5 * (i + 1), c.get(i).x(), EPS);
            assertEquals(3, c.get(i).y(), EPS);
        }
        // target nearer than the range: the last candidate is the target itself
        List<Vec2> near = FreeDragLineSearch.candidates(Vec2.of(0, 0), Vec2.of(3, 4), 10, 4);
        assertEquals(0, near.get(3).distance(Vec2.of(3, 4)), EPS);
        assertEquals(0, near.get(1).distance(Vec2.of(1.5, 2)), EPS);
        // at the target: every candidate is the target
        for (Vec2 v : FreeDragLineSearch.candidates(Vec2.of(7, 7), Vec2.of(7, 7), 5, 3)) {
            assertEquals(Vec2.of(7, 7), v);
        }
    }

    @Test
    void forwardPicksTheCandidateWhoseDistanceIsNearestTheExpectedLoss() {
        Vec2 p = Vec2.of(10, 10);
        Vec2 t = Vec2.of(30, 10);
        FreeDragLineSearch s = new FreeDragLineSearch(CFG, 64, 64);
        List<List<Vec2>> calls = new ArrayList<>();
        // dist = 0.25 |c - p|: l_expected 1 is reached 4 cells ahead
        FreeDragLineSearch.Decision d = s.localize(p, t, 0.9, 0.3, linear(p, 0.25, calls));
        assertEquals(FreeDragLineSearch.Move.FORWARD, d.move());
        assertEquals(0, d.point().distance(Vec2.of(14, 10)), 1e-9);
        assertEquals(1.0, d.distance(), 1e-9);
        assertEquals(1, calls.size());
        assertEquals(CFG.candidates(), calls.get(0).size());
        // a flatter feature change: every candidate is below l_expected, so the longest step, d_max, wins
        d = s.localize(p, t, 0.9, 0.3, linear(p, 0.05, new ArrayList<>()));
        assertEquals(0, d.point().distance(Vec2.of(10 + CFG.maxMove(), 10)), 1e-9);
        // a steep one: the shortest step (d_max / 10)
        d = s.localize(p, t, 0.9, 0.3, linear(p, 10, new ArrayList<>()));
        assertEquals(0, d.point().distance(Vec2.of(10 + CFG.maxMove() / CFG.candidates(), 10)), 1e-9);
        // the move always shortens the distance to the target and stays on the line
        assertTrue(d.point().distance(t) < p.distance(t));
    }

    @Test
    void theFirstLocalisationMovesForward() {
        // before any update the reference has l_ini = l_end = 0
        FreeDragLineSearch s = new FreeDragLineSearch(CFG, 64, 64);
        Vec2 p = Vec2.of(5, 5);
        FreeDragLineSearch.Decision d = s.localize(p, Vec2.of(5, 25), 0, 0, linear(p, 0.25, new ArrayList<>()));
        assertEquals(FreeDragLineSearch.Move.FORWARD, d.move());
        assertEquals(0, d.point().distance(Vec2.of(5, 9)), 1e-9);
    }

    @Test
    void holdWhileTheLossIsStillFalling() {
        FreeDragLineSearch s = new FreeDragLineSearch(CFG, 64, 64);
        Vec2 p = Vec2.of(12.5, 7.25);
        // l_end above threshold_l (0.5) but below l_ini
        FreeDragLineSearch.Decision d = s.localize(p, Vec2.of(30, 30), 0.9, 0.6, NEVER);
        assertEquals(FreeDragLineSearch.Move.HOLD, d.move());
        assertEquals(p, d.point());
        assertTrue(Double.isNaN(d.distance()));
    }

    @Test
    void backtrackRollsBackByDmaxAndSearchesTwiceTheRangeForTheBestMatch() {
        FreeDragLineSearch s = new FreeDragLineSearch(CFG, 64, 64);
        Vec2 p = Vec2.of(20, 10);
        Vec2 t = Vec2.of(40, 10);
        List<List<Vec2>> calls = new ArrayList<>();
        // the template's content is really at x = 17: behind the virtual handle
        Vec2 content = Vec2.of(17, 10);
        FreeDragLineSearch.Decision d = s.localize(p, t, 0.7, 0.7, linear(content, 0.25, calls));
        assertEquals(FreeDragLineSearch.Move.BACKTRACK, d.move());
        // rolled back to x = 15, candidates 16, 17, ..., 25 (2 d_max from there): argmin is the content
        List<Vec2> c = calls.get(0);
        assertEquals(16, c.get(0).x(), 1e-9);
        assertEquals(25, c.get(9).x(), 1e-9);
        assertEquals(0, d.point().distance(content), 1e-9);
        assertEquals(0, d.distance(), 1e-9);
        // l_end equal to l_ini (not falling) and above threshold_l also backtracks; so does a rising loss
        assertEquals(FreeDragLineSearch.Move.BACKTRACK,
                s.localize(p, t, 0.6, 0.9, linear(content, 0.25, new ArrayList<>())).move());
    }

    @Test
    void backtrackCanMoveAwayFromTheTargetButStaysOnTheLine() {
        FreeDragLineSearch s = new FreeDragLineSearch(CFG, 64, 64);
        Vec2 p = Vec2.of(20, 20);
        Vec2 t = Vec2.of(32, 29); // 15 cells away along (0.8, 0.6)
        // the best match is the first candidate after the roll-back: 4 cells behind p
        Vec2 behind = p.minus(Vec2.of(0.8, 0.6).scale(4));
        FreeDragLineSearch.Decision d = s.localize(p, t, 0.6, 0.8, linear(behind, 1, new ArrayList<>()));
        assertEquals(0, d.point().distance(behind), 1e-9);
        assertTrue(d.point().distance(t) > p.distance(t));
        Vec2 u = t.minus(p).normalized();
        Vec2 w = d.point().minus(p);
        assertEquals(0, u.x() * w.y() - u.y() * w.x(), 1e-9, "on the handle-target line");
    }

    @Test
    void rollBackIsShortenedToStayOnTheMap() {
        FreeDragLineSearch s = new FreeDragLineSearch(CFG, 16, 12);
        // rolling back 5 cells from x = 2 would leave the map: it stops at x = 0 on the same line
        Vec2 q = s.rollBack(Vec2.of(2, 3), Vec2.of(12, 3));
        assertEquals(0, q.distance(Vec2.of(0, 3)), 1e-9);
        // diagonal: the y border is hit first
        Vec2 r = s.rollBack(Vec2.of(8, 10), Vec2.of(5, 6)); // away from the target = (+0.6, +0.8) per cell
        assertEquals(11, r.y(), 1e-9);
        assertEquals(8 + 0.75, r.x(), 1e-9);
        // inside the map: the full d_max
        assertEquals(Vec2.of(5, 3).distance(s.rollBack(Vec2.of(10, 3), Vec2.of(15, 3))), 0, 1e-9);
        // at the target there is no direction: no roll-back
        assertEquals(Vec2.of(4, 4), s.rollBack(Vec2.of(4, 4), Vec2.of(4, 4)));
    }

    @Test
    void badInputIsRejected() {
        FreeDragLineSearch s = new FreeDragLineSearch(CFG, 16, 16);
        assertThrows(IllegalStateException.class,
                () -> s.localize(Vec2.of(1, 1), Vec2.of(9, 9), 0, 0, cs -> new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new FreeDragLineSearch(CFG, 0, 16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FreeDragConfig(0, 5, 4, 5, 10, 10, 2));
        assertTrue(e.getMessage().contains("expectedLoss"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FreeDragConfig(1, -1, 4, 5, 10, 10, 2));
        assertTrue(e.getMessage().contains("maxMove"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FreeDragConfig(1, 5, 4, 0, 10, 10, 2));
        assertTrue(e.getMessage().contains("innerSteps"), e.getMessage());
    }
}
