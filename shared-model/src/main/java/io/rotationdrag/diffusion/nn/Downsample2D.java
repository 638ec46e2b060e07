package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers Downsample2D with a conv: 3x3, stride 2. padding 1 (UNet) pads symmetrically; padding 0 (VAE) first
 * pads one zero column on the right and one zero row at the bottom (F.pad(x, (0,1,0,1))).
 */
public final class Downsample2D {
    private final Conv2dLayer conv;
    private final int padding;

    public Downsample2D(ParameterStore s, String p, int channels, int padding) {
        this.conv = new Conv2dLayer(s, p + ".conv", channels, channels, 3, 2, padding);
        this.padding = padding;
    }

    public NDArray forward(NDArray x) {
        if (padding == 0) {
            Shape sh = x.getShape();
            NDArray col = x.getManager().zeros(new Shape(sh.get(0), sh.get(1), sh.get(2), 1), x.getDataType());
            NDArray w = x.concat(col, 3);
            NDArray row = x.getManager().zeros(new Shape(sh.get(0), sh.get(1), 1, sh.get(3) + 1), x.getDataType());
            x = w.concat(row, 2);
        }
        return conv.forward(x);
    }
}
