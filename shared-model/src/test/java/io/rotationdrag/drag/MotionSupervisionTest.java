package io.rotationdrag.drag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rotationdrag.optim.AdamW;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Motion supervision on a constructed feature map that is itself the optimisation variable: one Adam step on the loss
 * must pull the features one cell along the drag direction towards the (stop-gradient) features at the handle, and
 * leave everything else alone. Also checks the skip rules and the mask term's gradient support.
 */
class MotionSupervisionTest {

    private static final int C = 3;
    private static final int W = 16;
    private static final int H = 12;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** A smooth, non-constant map: channel c = sin/cos ramps. */
    private static float[] features() {
        float[] f = new float[C * H * W];
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    f[(c * H + y) * W + x] = (float) Math.sin(0.7 * x + 1.3 * c) + (float) Math.cos(0.45 * y - c);
                }
            }
        }
        return f;
    }

    private static double l1(float[] f, int x0, int y0, int x1, int y1) {
        double s = 0;
        for (int c = 0; c < C; c++) {
            s += Math.abs(f[(c * H + y0) * W + x0] - f[(c * H + y1) * W + x1]);
        }
        return s;
    }

    @Test
    void oneStepMovesTheHandleFeatureInTheDragDirection() {
        float[] before = features();
        NDArray param = manager.create(before, new Shape(C, H, W));
        MotionSupervision ms = new MotionSupervision(MotionSupervision.Config.dragDiffusion());
        Vec2 p = Vec2.of(5, 6);
        Vec2 t = Vec2.of(11, 6); // drag to the right: d = (1, 0)
        try (AdamW adam = AdamW.adam(manager, 0.05); NDManager step = manager.newSubManager()) {
            NDArray leaf = param.duplicate();
            leaf.attach(step);
            leaf.setRequiresGradient(true);
            NDArray grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                MotionSupervision.DragLoss loss = ms.dragLoss(leaf, List.of(p), List.of(t), null);
                assertEquals(1, loss.activeHandles());
                gc.backward(loss.value());
            }
            grad = leaf.getGradient();
            adam.step(List.of(param), List.of(grad));
        }
        float[] after = param.toFloatArray();
        // the 3x3 patch around p + d moved towards the old features of the patch around p (both a fixed reference)
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int qx = 6 + dx;
                int qy = 6 + dy;
                double oldDist = 0;
                double newDist = 0;
                for (int c = 0; c < C; c++) {
                    float ref = before[(c * H + 6 + dy) * W + 5 + dx];
                    oldDist += Math.abs(before[(c * H + qy) * W + qx] - ref);
                    newDist += Math.abs(after[(c * H + qy) * W + qx] - ref);
                }
                assertTrue(newDist < oldDist - 0.05 * C * 0.5,
                        "cell (" + qx + "," + qy + "): " + oldDist + " -> " + newDist);
            }
        }
        // cells outside the moved patch (x >= 8 or y far away) did not change: the reference patch is stop-gradient
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    boolean inMoved = Math.abs(x - 6) <= 1 && Math.abs(y - 6) <= 1;
                    if (!inMoved) {
                        int k = (c * H + y) * W + x;
                        assertEquals(before[k], after[k], 1e-7, "cell " + x + "," + y + " changed");
                    }
                }
            }
        }
        // and the drag loss itself went down
        assertTrue(l1(after, 6, 6, 5, 6) < l1(before, 6, 6, 5, 6));
    }

    @Test
    void skipsNearTargetsAndAxisAlignedHandles() {
        MotionSupervision dd = new MotionSupervision(MotionSupervision.Config.dragDiffusion());
        MotionSupervision rd = new MotionSupervision(MotionSupervision.Config.rotationDrag());
        assertNotNull(dd.skipReason(Vec2.of(5, 5), Vec2.of(6, 6), null)); // |t - p| = 1.41 < 2
        assertNull(dd.skipReason(Vec2.of(5, 5), Vec2.of(7, 5), null));
        Vec2 axis = Vec2.of(0, 5);
        // handle and target on the same ray from the axis: rotation done, only a radial move left
        assertNotNull(rd.skipReason(Vec2.of(5, 5), Vec2.of(9, 5), axis));
        assertNull(dd.skipReason(Vec2.of(5, 5), Vec2.of(9, 5), axis));
        assertNull(rd.skipReason(Vec2.of(5, 5), Vec2.of(5, 9), axis));
    }

    /** Only exact alignment is skipped (as the reference): a handle 1 degree off its target's ray still gets a loss. */
    @Test
    void skipsOnlyExactAxisAlignment() {
        MotionSupervision rd = new MotionSupervision(MotionSupervision.Config.rotationDrag());
        Vec2 axis = Vec2.of(64, 64);
        Vec2 handle = Vec2.of(100, 64);
        Vec2 target = Rotation.rotatePoint(Vec2.of(120, 64), axis, 1.0); // 1 degree counter-clockwise, farther out
        assertNull(rd.skipReason(handle, target, axis), "1 degree off alignment is still a rotation to make");
        assertNull(rd.skipReason(handle, Rotation.rotatePoint(Vec2.of(120, 64), axis, -0.2), axis));
        assertNotNull(rd.skipReason(handle, Vec2.of(120, 64), axis), "exactly aligned: only a radial move left");
    }

    @Test
    void maskTermHasNoGradientInsideTheEditableRegion() {
        float[] x = features();
        NDArray xp = manager.create(x, new Shape(1, C, H, W));
        NDArray x0 = xp.add(0.5f);
        BinaryMask mask = BinaryMask.filled(W, H, false);
        boolean[] d = new boolean[W * H];
        for (int k = 0; k < d.length; k++) {
            d[k] = (k % W) < W / 2; // left half editable
        }
        mask = new BinaryMask(W, H, d);
        MotionSupervision ms = new MotionSupervision(MotionSupervision.Config.dragDiffusion());
        NDArray leaf = xp.duplicate();
        leaf.setRequiresGradient(true);
        float value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = ms.maskLoss(leaf, x0, mask.toNDArray(manager));
            value = loss.getFloat();
            gc.backward(loss);
        }
        // lam * 0.5 * (C * H * W/2 cells outside the mask)
        assertEquals(0.1 * 0.5 * C * H * (W / 2), value, 1e-3);
        float[] g = leaf.getGradient().toFloatArray();
        for (int k = 0; k < g.length; k++) {
            int xcell = k % W;
            assertEquals(xcell < W / 2 ? 0.0 : -0.1, g[k], 1e-6, "gradient at x=" + xcell);
        }
    }
}
