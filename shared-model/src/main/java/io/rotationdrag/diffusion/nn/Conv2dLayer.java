package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** torch.nn.Conv2d with square kernel, weight [out,in,k,k], bias [out]. */
public final class Conv2dLayer {
    private final Param weight;
    private final Param bias;
    private final int stride;
    private final int pad;

    public Conv2dLayer(ParameterStore store, String prefix, int in, int out, int kernel, int stride, int pad) {
        this.weight = store.declare(prefix + ".weight", out, in, kernel, kernel);
        this.bias = store.declare(prefix + ".bias", out);
        this.stride = stride;
        this.pad = pad;
    }

    public NDArray forward(NDArray x) {
        return Ops.conv2d(x, weight.get(), bias.get(), stride, pad);
    }
}
