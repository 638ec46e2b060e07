package io.rotationdrag.diffusion.unet;

import io.rotationdrag.diffusion.nn.Param;

/**
 * Analytic FLOP count of one UNet forward (and of the backward to the latent), from the declared parameter
 * shapes and the resolution at which each parameter is used. One multiply-add = 2 FLOPs.
 * <ul>
 *   <li>conv [Co, Ci, kh, kw] producing Ho x Wo: 2 Co Ci kh kw Ho Wo</li>
 *   <li>linear [out, in] on T tokens: 2 out in T (T = h w of its level; 1 for the time embedding and the resnets'
 *   time_emb_proj; the context length M for cross-attention to_k / to_v)</li>
 *   <li>attention with N queries, M keys, C channels: Q K^T and P V, 2 N M C each</li>
 * </ul>
 * Norms, activations, softmax and element-wise ops are not counted (a few per cent at most).
 * Level of a parameter: down_blocks.i at h / 2^i (its downsampler writes level i+1), mid at the last level,
 * up_blocks.i at level n-1-i (its upsampler conv runs after the 2x up-sampling, at level n-2-i).
 *
 * <p>Backward with frozen weights computes only input gradients: dX of every conv / linear on the latent's
 * path (as many FLOPs as its forward), nothing for the time embedding and the text-side to_k / to_v, and for
 * attention dQ, dP (plus dK, dV for self-attention, whose keys depend on the latent): 1x (cross) or 2x (self)
 * the forward matmuls.
 *
 * @param conv      forward FLOPs of convolutions
 * @param linear    forward FLOPs of linear layers
 * @param attention forward FLOPs of the attention matmuls
 * @param backward  FLOPs of the backward to the latent (weights frozen)
 */
public record UNetFlops(double conv, double linear, double attention, double backward) {

    public double forward() {
        return conv + linear + attention;
    }

    /** Counts for a latent of {@code h x w}, {@code contextLength} text tokens and batch size {@code batch}. */
    public static UNetFlops of(UNet2DConditionModel unet, int h, int w, int contextLength, int batch) {
        int n = unet.config().blockOutChannels().length;
        double conv = 0;
        double linear = 0;
        double backward = 0;
        for (Param p : unet.parameters().params()) {
            long[] s = p.shape();
            if (!p.name().endsWith(".weight") || s.length < 2) {
                continue;
            }
            int level = level(p.name(), n);
            double hw = (double) (h >> level) * (w >> level);
            if (s.length == 4) {
                double f = 2.0 * s[0] * s[1] * s[2] * s[3] * hw * batch;
                conv += f;
                backward += f;
            } else {
                boolean timeOnly = p.name().startsWith("time_embedding.") || p.name().contains(".time_emb_proj.");
                boolean textSide = p.name().contains(".attn2.to_k.") || p.name().contains(".attn2.to_v.");
                double tokens = timeOnly ? 1 : textSide ? contextLength : hw;
                double f = 2.0 * s[0] * s[1] * tokens * batch;
                linear += f;
                if (!timeOnly && !textSide) {
                    backward += f;
                }
            }
        }
        double attention = 0;
        for (Attention a : unet.attentionLayers()) {
            Attention.Info info = a.info();
            int level = level(info.path(), n);
            double nq = (double) (h >> level) * (w >> level);
            double m = info.kind() == Attention.Kind.SELF ? nq : contextLength;
            double f = 4.0 * nq * m * info.queryDim() * batch;
            attention += f;
            backward += info.kind() == Attention.Kind.SELF ? 2 * f : f;
        }
        return new UNetFlops(conv, linear, attention, backward);
    }

    /** The resolution level (0 = latent size) at which the output of parameter {@code name} is computed. */
    static int level(String name, int n) {
        String[] f = name.split("\\.");
        switch (f[0]) {
            case "down_blocks": {
                int i = Integer.parseInt(f[1]);
                return f[2].equals("downsamplers") ? i + 1 : i;
            }
            case "up_blocks": {
                int i = Integer.parseInt(f[1]);
                return f[2].equals("upsamplers") ? n - 2 - i : n - 1 - i;
            }
            case "mid_block":
                return n - 1;
            default:
                return 0; // conv_in, conv_out, conv_norm_out, time_embedding
        }
    }
}
