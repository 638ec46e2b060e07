package io.rotationdrag.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.rotationdrag.diffusion.nn.OwnedArrays;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * torch.optim.AdamW (Adam when the weight decay is 0), the one optimiser of the project: LoRA fine-tuning, the drag
 * stage's latent (Adam) and the embedded model's trainers.
 * <pre>
 *   g <- g * min(1, clip / ||g||)            (global norm over all parameters; only when clip > 0)
 *   p <- p * (1 - lr * wd)                   (decoupled decay; skipped for wd = 0)
 *   m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 * Parameters are updated in place. The moments live in the optimiser's own manager and are updated in place; every
 * temporary of a step is closed with the step, so memory stays flat however many steps run.
 */
public final class AdamW implements AutoCloseable {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double weightDecay;
    private final double eps;
    private final double clipNorm;
    private final NDManager manager;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private int t;
    private double lastGradNorm = Double.NaN;

    /** @param clipNorm global gradient-norm limit; {@code <= 0} disables clipping (and the norm's computation) */
    public AdamW(NDManager parent, double lr, double beta1, double beta2, double weightDecay, double eps,
                 double clipNorm) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.weightDecay = weightDecay;
        this.eps = eps;
        this.clipNorm = clipNorm;
        this.manager = parent.newSubManager();
    }

    /** Without clipping, as torch.optim.AdamW alone. */
    public AdamW(NDManager parent, double lr, double beta1, double beta2, double weightDecay, double eps) {
        this(parent, lr, beta1, beta2, weightDecay, eps, 0);
    }

    /** Adam (no weight decay, no clipping), as DragDiffusion uses on the latent. */
    public static AdamW adam(NDManager parent, double lr) {
        return new AdamW(parent, lr, 0.9, 0.999, 0.0, 1e-8, 0);
    }

    /** One step at the base learning rate; {@code grads.get(i)} is the gradient of {@code params.get(i)}. */
    public void step(List<NDArray> params, List<NDArray> grads) {
        step(params, grads, lr);
    }

    /**
     * One step at learning rate {@code lrNow} (a schedule's value); returns the global gradient norm before clipping
     * (NaN when clipping is off).
     */
    public double step(List<NDArray> params, List<NDArray> grads, double lrNow) {
        if (params.size() != grads.size()) {
            throw new IllegalArgumentException(params.size() + " parameters but " + grads.size() + " gradients");
        }
        if (m.isEmpty()) {
            if (params.isEmpty()) {
                throw new IllegalArgumentException("no parameters to optimise");
            }
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
        // NDScope closes every array created inside it: m.div(..), v.div(..).sqrt() would otherwise belong to the
        // moments' manager and leak about 3 parameter copies per step
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double scale = 1.0;
            double norm = Double.NaN;
            if (clipNorm > 0) {
                double sq = 0;
                for (NDArray g : grads) {
                    sq += g.square().sum().getFloat();
                }
                norm = Math.sqrt(sq);
                scale = norm > clipNorm ? clipNorm / norm : 1.0;
            }
            lastGradNorm = norm;
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                NDArray g = scale == 1.0 ? grads.get(i) : OwnedArrays.mul(grads.get(i), (float) scale);
                if (weightDecay != 0) {
                    OwnedArrays.muli(p, (float) (1 - lrNow * weightDecay));
                }
                OwnedArrays.muli(m.get(i), (float) beta1).addi(OwnedArrays.mul(g, (float) (1 - beta1)));
                OwnedArrays.muli(v.get(i), (float) beta2).addi(OwnedArrays.muli(g.square(), (float) (1 - beta2)));
                NDArray denom = OwnedArrays.div(v.get(i), (float) bc2).sqrt().addi((float) eps);
                // float scalars throughout: no float64 temporaries
                p.subi(OwnedArrays.muli(OwnedArrays.div(m.get(i), (float) bc1).divi(denom), (float) lrNow));
            }
            return norm;
        }
    }

    /**
     * One step on parameters that carry their own gradients (after {@code backward}), then zeroes those gradients
     * in place (the engine accumulates them, as PyTorch does). Returns the pre-clip global gradient norm.
     */
    public double stepOnGradients(Collection<NDArray> params, double lrNow) {
        List<NDArray> ps = List.copyOf(params);
        List<NDArray> gs = new ArrayList<>(ps.size());
        for (NDArray p : ps) {
            gs.add(p.getGradient());
        }
        try {
            return step(ps, gs, lrNow);
        } finally {
            for (NDArray g : gs) {
                OwnedArrays.muli(g, 0f);
                g.close(); // the handle getGradient() returned; the parameter keeps its gradient buffer
            }
        }
    }

    public int steps() {
        return t;
    }

    /** The pre-clip global gradient norm of the last step (NaN when clipping is off). */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    public double baseLearningRate() {
        return lr;
    }

    @Override
    public void close() {
        manager.close();
    }
}
