package io.rotationdrag.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;

/**
 * torch.optim.AdamW (and Adam with weight decay 0) on a list of parameters, state held in its own manager:
 * <pre>
 *   p <- p - lr * wd * p                     (decoupled decay; skipped for wd = 0, i.e. Adam)
 *   m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 * Parameters are updated in place; they must not require gradients themselves (train on leaf copies).
 */
public final class AdamW implements AutoCloseable {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double weightDecay;
    private final double eps;
    private final NDManager manager;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private int t;

    public AdamW(NDManager parent, double lr, double beta1, double beta2, double weightDecay, double eps) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.weightDecay = weightDecay;
        this.eps = eps;
        this.manager = parent.newSubManager();
    }

    /** Adam (no weight decay), as DragDiffusion uses on the latent. */
    public static AdamW adam(NDManager parent, double lr) {
        return new AdamW(parent, lr, 0.9, 0.999, 0.0, 1e-8);
    }

    public int steps() {
        return t;
    }

    /**
     * One step. {@code params.get(i)} is overwritten with its updated value; {@code grads.get(i)} is its gradient.
     */
    public void step(List<NDArray> params, List<NDArray> grads) {
        if (params.size() != grads.size()) {
            throw new IllegalArgumentException(params.size() + " parameters but " + grads.size() + " gradients");
        }
        if (m.isEmpty()) {
            for (NDArray p : params) {
                m.add(manager.zeros(p.getShape(), p.getDataType()));
                v.add(manager.zeros(p.getShape(), p.getDataType()));
            }
        } else if (m.size() != params.size()) {
            throw new IllegalArgumentException("parameter count changed from " + m.size() + " to " + params.size());
        }
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < params.size(); i++) {
            // NDScope closes every temporary created inside it except the new moments
            try (NDScope scope = new NDScope()) {
                NDArray p = params.get(i);
                NDArray g = grads.get(i);
                NDArray mi = m.get(i).mul((float) beta1).add(g.mul((float) (1 - beta1)));
                NDArray vi = v.get(i).mul((float) beta2).add(g.square().mul((float) (1 - beta2)));
                NDScope.unregister(mi, vi);
                mi.attach(manager);
                vi.attach(manager);
                m.get(i).close();
                v.get(i).close();
                m.set(i, mi);
                v.set(i, vi);
                if (weightDecay != 0) {
                    p.muli((float) (1 - lr * weightDecay));
                }
                NDArray denom = vi.div((float) bc2).sqrt().add((float) eps);
                p.subi(mi.div((float) bc1).div(denom).mul((float) lr));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
