package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** torch.nn.LayerNorm(C, eps, elementwise_affine=True) over the last axis. */
public final class LayerNormLayer {
    private final Param weight;
    private final Param bias;
    private final double eps;

    public LayerNormLayer(ParameterStore store, String prefix, int channels, double eps) {
        this.weight = store.declare(prefix + ".weight", channels);
        this.bias = store.declare(prefix + ".bias", channels);
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return Ops.layerNorm(x, weight.get(), bias.get(), eps);
    }
}
