package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** torch.nn.GroupNorm(groups, C, eps, affine=True). */
public final class GroupNormLayer {
    private final Param weight;
    private final Param bias;
    private final int groups;
    private final double eps;

    public GroupNormLayer(ParameterStore store, String prefix, int channels, int groups, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(prefix + ": " + channels + " channels not divisible by " + groups + " groups");
        }
        this.weight = store.declare(prefix + ".weight", channels);
        this.bias = store.declare(prefix + ".bias", channels);
        this.groups = groups;
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return Ops.groupNorm(x, groups, weight.get(), bias.get(), eps);
    }
}
