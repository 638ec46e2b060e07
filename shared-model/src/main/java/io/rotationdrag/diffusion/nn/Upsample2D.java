package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** diffusers Upsample2D: nearest x2, then 3x3 conv (padding 1). */
public final class Upsample2D {
    private final Conv2dLayer conv;

    public Upsample2D(ParameterStore s, String p, int channels) {
        this.conv = new Conv2dLayer(s, p + ".conv", channels, channels, 3, 1, 1);
    }

    public NDArray forward(NDArray x) {
        return conv.forward(Ops.upsampleNearest2x(x));
    }
}
