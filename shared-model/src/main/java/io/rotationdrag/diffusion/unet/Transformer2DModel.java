package io.rotationdrag.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.rotationdrag.diffusion.nn.Conv2dLayer;
import io.rotationdrag.diffusion.nn.GroupNormLayer;
import io.rotationdrag.diffusion.nn.LayerNormLayer;
import io.rotationdrag.diffusion.nn.LinearLayer;
import io.rotationdrag.diffusion.nn.Ops;
import io.rotationdrag.diffusion.nn.ParameterStore;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers Transformer2DModel (continuous input): GroupNorm (eps 1e-6) -> proj_in (1x1 conv, or Linear after
 * flattening when use_linear_projection) -> BasicTransformerBlocks -> proj_out -> + residual.
 */
final class Transformer2DModel {
    private final GroupNormLayer norm;
    private final Conv2dLayer projInConv;
    private final Conv2dLayer projOutConv;
    private final LinearLayer projInLin;
    private final LinearLayer projOutLin;
    private final List<Block> blocks = new ArrayList<>();

    /** BasicTransformerBlock: x += attn1(norm1 x); x += attn2(norm2 x, ctx); x += ff(norm3 x) (GEGLU). */
    static final class Block {
        final LayerNormLayer norm1;
        final LayerNormLayer norm2;
        final LayerNormLayer norm3;
        final Attention attn1;
        final Attention attn2;
        final LinearLayer ffProj;
        final LinearLayer ffOut;

        Block(ParameterStore s, String p, int c, int heads, int crossDim, List<Attention> registry, int[] selfCounter) {
            norm1 = new LayerNormLayer(s, p + ".norm1", c, 1e-5);
            attn1 = new Attention(s, new Attention.Info(registry.size(), p + ".attn1", Attention.Kind.SELF,
                    selfCounter[0]++, c, c, heads), false);
            registry.add(attn1);
            norm2 = new LayerNormLayer(s, p + ".norm2", c, 1e-5);
            attn2 = new Attention(s, new Attention.Info(registry.size(), p + ".attn2", Attention.Kind.CROSS, -1, c,
                    crossDim, heads), false);
            registry.add(attn2);
            norm3 = new LayerNormLayer(s, p + ".norm3", c, 1e-5);
            ffProj = new LinearLayer(s, p + ".ff.net.0.proj", c, 8 * c, true);
            ffOut = new LinearLayer(s, p + ".ff.net.2", 4 * c, c, true);
        }

        NDArray forward(NDArray x, NDArray ctx, AttentionCall call) {
            // temporaries (processor outputs included) are freed when the block returns; see AttentionProcessor
            try (NDScope scope = new NDScope()) {
                x = x.add(attn1.forward(norm1.forward(x), null, call));
                x = x.add(attn2.forward(norm2.forward(x), ctx, call));
                NDArray u = ffProj.forward(norm3.forward(x));
                long half = u.getShape().get(u.getShape().dimension() - 1) / 2;
                var parts = u.split(new long[]{half}, u.getShape().dimension() - 1);
                // GEGLU: the second half is the gate, GELU in its exact erf form
                NDArray ff = ffOut.forward(parts.get(0).mul(Ops.gelu(parts.get(1))));
                return Ops.keep(x.add(ff));
            }
        }
    }

    Transformer2DModel(ParameterStore s, String p, int c, int heads, int layers, int crossDim, int groups,
                       boolean linearProjection, List<Attention> registry, int[] selfCounter) {
        if (c % heads != 0) {
            throw new IllegalArgumentException(p + ": " + c + " channels not divisible by " + heads + " heads");
        }
        norm = new GroupNormLayer(s, p + ".norm", c, groups, 1e-6);
        if (linearProjection) {
            projInLin = new LinearLayer(s, p + ".proj_in", c, c, true);
            projInConv = null;
        } else {
            projInConv = new Conv2dLayer(s, p + ".proj_in", c, c, 1, 1, 0);
            projInLin = null;
        }
        for (int i = 0; i < layers; i++) {
            blocks.add(new Block(s, p + ".transformer_blocks." + i, c, heads, crossDim, registry, selfCounter));
        }
        if (linearProjection) {
            projOutLin = new LinearLayer(s, p + ".proj_out", c, c, true);
            projOutConv = null;
        } else {
            projOutConv = new Conv2dLayer(s, p + ".proj_out", c, c, 1, 1, 0);
            projOutLin = null;
        }
    }

    NDArray forward(NDArray x, NDArray ctx, AttentionCall call) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray t = norm.forward(x);
        if (projInConv != null) {
            t = Ops.toTokens(projInConv.forward(t));
        } else {
            t = projInLin.forward(Ops.toTokens(t));
        }
        for (Block b : blocks) {
            t = b.forward(t, ctx, call);
        }
        NDArray out = projOutConv != null ? projOutConv.forward(Ops.fromTokens(t, h, w))
                : Ops.fromTokens(projOutLin.forward(t), h, w);
        return out.add(x);
    }
}
