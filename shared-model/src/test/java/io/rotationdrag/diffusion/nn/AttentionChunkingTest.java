package io.rotationdrag.diffusion.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attention over blocks of queries equals the unblocked attention, in value and in gradient. */
class AttentionChunkingTest {

    @Test
    void blockedAttentionEqualsUnblockedWithGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            long b = 2, n = 37, mk = 29, heads = 4, c = 32;
            NDArray q = m.randomNormal(new Shape(b, n, c));
            NDArray k = m.randomNormal(new Shape(b, mk, c));
            NDArray v = m.randomNormal(new Shape(b, mk, c));
            NDArray w = m.randomNormal(new Shape(b, n, c));
            NDArray[] full = run(q, k, v, w, (int) heads, Long.MAX_VALUE);
            // 5 query rows per block (37 = 7 x 5 + 2: a ragged last block)
            NDArray[] blocked = run(q, k, v, w, (int) heads, b * heads * mk * 5);
            for (int i = 0; i < full.length; i++) {
                double d = full[i].sub(blocked[i]).abs().max().getFloat();
                assertTrue(d < 1e-6, "output/gradient " + i + " differs by " + d);
            }
            assertEquals(new Shape(b, n, c), full[0].getShape());
            // and against a per-head loop written out here: O_h = softmax(Q_h K_h^T / sqrt(d)) V_h
            long d = c / heads;
            for (int h = 0; h < heads; h++) {
                String cols = ":, :, " + (h * d) + ":" + ((h + 1) * d);
                NDArray ref = q.get(cols).matMul(k.get(cols).transpose(0, 2, 1)).div(Math.sqrt(d)).softmax(-1)
                        .matMul(v.get(cols));
                double diff = blocked[0].get(cols).sub(ref).abs().max().getFloat();
                assertTrue(diff < 1e-5, "head " + h + " differs by " + diff);
            }
        }
    }

    /** Output and the gradients of sum(out * w) w.r.t. q, k, v. */
    private static NDArray[] run(NDArray q0, NDArray k0, NDArray v0, NDArray w, int heads, long maxElements) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray q = q0.mul(1);
            NDArray k = k0.mul(1);
            NDArray v = v0.mul(1);
            q.setRequiresGradient(true);
            k.setRequiresGradient(true);
            v.setRequiresGradient(true);
            NDArray out = Ops.attention(q, k, v, heads, maxElements);
            gc.backward(out.mul(w).sum());
            return new NDArray[]{out.stopGradient(), q.getGradient().duplicate(), k.getGradient().duplicate(),
                    v.getGradient().duplicate()};
        }
    }
}
