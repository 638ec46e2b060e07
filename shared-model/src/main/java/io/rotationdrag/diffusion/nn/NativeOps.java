package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** Fused kernels that DJL does not wrap (torch group_norm and scaled_dot_product_attention). */
public interface NativeOps {
    NDArray groupNorm(NDArray x, int groups, NDArray w, NDArray b, double eps);

    NDArray attention(NDArray q, NDArray k, NDArray v, int heads);
}
