package io.rotationdrag.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW as in torch.optim.AdamW (decoupled weight decay), on named parameters that carry gradients:
 * <pre>
 *   p <- p * (1 - lr * wd)
 *   m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 * with optional clipping of the global gradient norm first (g <- g * min(1, clip / ||g||)). The moments live in
 * the optimiser's own manager; gradients are zeroed after each step (PyTorch accumulates them).
 */
public final class AdamW implements AutoCloseable {

    private final Map<String, NDArray> params;
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double clipNorm;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private int t;
    private double lastGradNorm = Double.NaN;

    /**
     * @param clipNorm global gradient-norm limit; {@code <= 0} disables clipping
     */
    public AdamW(NDManager parent, Map<String, NDArray> params, double lr, double beta1, double beta2, double eps,
                 double weightDecay, double clipNorm) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("no parameters to optimise");
        }
        this.params = params;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.clipNorm = clipNorm;
        this.manager = parent.newSubManager();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            m.put(e.getKey(), manager.zeros(e.getValue().getShape()));
            v.put(e.getKey(), manager.zeros(e.getValue().getShape()));
        }
    }

    /** One update with learning rate {@code lrNow} (for warm-up); returns the pre-clip global gradient norm. */
    public double step(double lrNow) {
        t++;
        // every array an op creates inside the scope is closed with it: results of m.div(..), v.div(..).sqrt() would
        // otherwise belong to the moments' manager and leak about 3 parameter copies per step
        try (NDScope scope = new NDScope(); NDManager sub = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            Map<String, NDArray> grads = new LinkedHashMap<>();
            double sq = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(sub);
                grads.put(e.getKey(), g);
                sq += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(sq);
            lastGradNorm = norm;
            double scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1.0;
            double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                String k = e.getKey();
                NDArray p = e.getValue();
                NDArray g = grads.get(k);
                NDArray gs = scale == 1.0 ? g.duplicate() : g.mul((float) scale);
                if (weightDecay != 0) {
                    p.muli((float) (1 - lrNow * weightDecay));
                }
                m.get(k).muli((float) beta1).addi(gs.mul((float) (1 - beta1)));
                v.get(k).muli((float) beta2).addi(gs.square().muli((float) (1 - beta2)));
                NDArray denom = v.get(k).div((float) bc2).sqrt().addi((float) eps);
                p.subi(m.get(k).div((float) bc1).divi(denom).muli((float) lrNow));   // float scalars: no float64 temporaries
                g.muli(0f);                       // zero the accumulated gradient in place
            }
            return norm;
        }
    }

    public int steps() {
        return t;
    }

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
