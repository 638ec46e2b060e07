package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * diffusers ResnetBlock2D ("default" time conditioning, output scale 1):
 * h = conv1(silu(norm1(x))) [+ time_emb_proj(silu(temb))[:, :, None, None]];
 * h = conv2(silu(norm2(h))); out = (shortcut(x) + h) / outputScale, with a 1x1 conv_shortcut iff in != out.
 */
public final class ResnetBlock2D {
    private final GroupNormLayer norm1;
    private final Conv2dLayer conv1;
    private final LinearLayer timeEmbProj;
    private final GroupNormLayer norm2;
    private final Conv2dLayer conv2;
    private final Conv2dLayer shortcut;
    private final double outputScale;

    /** @param tembChannels 0 for the VAE (no time embedding) */
    public ResnetBlock2D(ParameterStore s, String p, int in, int out, int tembChannels, int groups, double eps,
                         double outputScale) {
        norm1 = new GroupNormLayer(s, p + ".norm1", in, groups, eps);
        conv1 = new Conv2dLayer(s, p + ".conv1", in, out, 3, 1, 1);
        timeEmbProj = tembChannels > 0 ? new LinearLayer(s, p + ".time_emb_proj", tembChannels, out, true) : null;
        norm2 = new GroupNormLayer(s, p + ".norm2", out, groups, eps);
        conv2 = new Conv2dLayer(s, p + ".conv2", out, out, 3, 1, 1);
        shortcut = in != out ? new Conv2dLayer(s, p + ".conv_shortcut", in, out, 1, 1, 0) : null;
        this.outputScale = outputScale;
    }

    /** @param tembAct silu(temb), computed once per forward by the caller; null when there is no time embedding */
    public NDArray forward(NDArray x, NDArray tembAct) {
        try (NDScope scope = new NDScope()) { // temporaries freed at once (autograd keeps what it saved)
            NDArray h = conv1.forward(Ops.silu(norm1.forward(x)));
            if (timeEmbProj != null) {
                NDArray t = timeEmbProj.forward(tembAct);
                h = h.add(t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
            }
            h = conv2.forward(Ops.silu(norm2.forward(h)));
            NDArray skip = shortcut != null ? shortcut.forward(x) : x;
            NDArray out = skip.add(h);
            return Ops.keep(outputScale == 1.0 ? out : OwnedArrays.div(out, outputScale));
        }
    }
}
