package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** torch.nn.Linear: weight [out,in], optional bias [out]; keys {@code prefix.weight}, {@code prefix.bias}. */
public final class LinearLayer {
    private final Param weight;
    private final Param bias;
    private final String path;
    public final int in;
    public final int out;

    public LinearLayer(ParameterStore store, String prefix, int in, int out, boolean bias) {
        this.path = prefix;
        this.in = in;
        this.out = out;
        this.weight = store.declare(prefix + ".weight", out, in);
        this.bias = bias ? store.declare(prefix + ".bias", out) : null;
    }

    public NDArray forward(NDArray x) {
        return Ops.linear(x, weight.get(), bias == null ? null : bias.get());
    }

    public String path() {
        return path;
    }

    public Param weight() {
        return weight;
    }

    public Param bias() {
        return bias;
    }
}
