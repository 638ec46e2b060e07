package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * Primitive ops on NDArrays with PyTorch semantics (NCHW, Linear weight [out,in]).
 *
 * <p>Manager rule: every result lives in the manager of the activation argument {@code x}, never in the
 * manager of a parameter, so a forward pass inside a sub-manager leaves nothing behind in the model's manager.
 * Where an op must start from a parameter (reshaping a norm weight) the result is moved with {@link #local}.
 *
 * <p>GroupNorm and attention are composed from wrapped ops by default; {@link NativeOps} can replace them with the
 * fused torch kernels (see {@link #setNative}).
 */
public final class Ops {
    private static volatile NativeOps nativeOps;

    private Ops() {
    }

    /** Installs (or removes with null) fused native kernels for group norm and attention. */
    public static void setNative(NativeOps ops) {
        nativeOps = ops;
    }

    public static NativeOps nativeOps() {
        return nativeOps;
    }

    /** Moves {@code a} into the manager of {@code like} (for results computed from parameters). */
    public static NDArray local(NDArray like, NDArray a) {
        if (a.getManager() != like.getManager()) {
            a.attach(like.getManager());
        }
        return a;
    }

    /** y = x W^T + b over the last axis. */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        NDList r = b == null ? Linear.linear(x, w) : Linear.linear(x, w, b);
        return r.singletonOrThrow();
    }

    /** 2-D cross-correlation, zero padding {@code pad} on each side (through {@link ConvGuard}). */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int pad) {
        return ConvGuard.conv2d(x, w, b, stride, pad);
    }

    /**
     * GroupNorm over [B, C, ...]: per sample and group of C/G channels, y = (x - mean) / sqrt(var + eps), biased
     * variance, then per-channel affine w, b.
     */
    public static NDArray groupNorm(NDArray x, int groups, NDArray w, NDArray b, double eps) {
        NativeOps n = nativeOps;
        if (n != null) {
            return n.groupNorm(x, groups, w, b, eps);
        }
        // NDScope frees the temporaries now instead of when the forward's manager closes (autograd keeps what it
        // saved); at SD 1.5 size the forward otherwise holds every intermediate until it returns
        try (NDScope scope = new NDScope()) {
            Shape s = x.getShape();
            long batch = s.get(0);
            long c = s.get(1);
            NDArray xr = x.reshape(batch, groups, -1);
            NDArray mean = xr.mean(new int[]{2}, true);
            NDArray d = xr.sub(mean);
            NDArray var = d.square().mean(new int[]{2}, true);
            NDArray y = d.div(var.add(eps).sqrt()).reshape(s);
            long[] bs = new long[s.dimension()];
            java.util.Arrays.fill(bs, 1);
            bs[1] = c;
            Shape bshape = new Shape(bs);
            return keep(y.mul(local(x, w.reshape(bshape))).add(local(x, b.reshape(bshape))));
        }
    }

    /** LayerNorm over the last axis (affine). */
    public static NDArray layerNorm(NDArray x, NDArray w, NDArray b, double eps) {
        return LayerNorm.layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), w, b, (float) eps)
                .singletonOrThrow();
    }

    /** SiLU(x) = x * sigmoid(x). */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** GELU, exact erf form: 0.5 x (1 + erf(x / sqrt 2)). */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** Largest score block [B, H, n, M] computed at once by {@link #attention}: 16 M elements (64 MB in fp32). */
    public static final long ATTENTION_CHUNK_ELEMENTS = 16L << 20;

    /**
     * Multi-head scaled dot-product attention without mask. q [B,N,H*d], k,v [B,M,H*d] -> [B,N,H*d];
     * head h owns channels [h*d, (h+1)*d). O = softmax(Q K^T / sqrt(d)) V per head.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads) {
        NativeOps n = nativeOps;
        if (n != null) {
            return n.attention(q, k, v, heads);
        }
        return attention(q, k, v, heads, ATTENTION_CHUNK_ELEMENTS);
    }

    /**
     * The composed attention, over blocks of queries so that no score block exceeds {@code maxScoreElements}
     * (softmax runs over keys, so each query row is independent and the blocks give the same result). At SD 1.5's
     * 64x64 level one unblocked self-attention holds 8 x 4096 x 4096 scores (512 MB) two or three times over.
     * Temporaries are freed as soon as they are used (NDScope); autograd keeps what backward needs.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, long maxScoreElements) {
        try (NDScope scope = new NDScope()) {
            long b = q.getShape().get(0);
            long nq = q.getShape().get(1);
            long c = q.getShape().get(2);
            long m = k.getShape().get(1);
            long d = c / heads;
            double scale = 1.0 / Math.sqrt(d);
            NDArray qh = splitHeads(q, heads);
            NDArray khT = splitHeads(k, heads).transpose(0, 1, 3, 2);
            NDArray vh = splitHeads(v, heads);
            long rows = Math.max(1, maxScoreElements / (b * heads * m));
            NDArray o;
            if (rows >= nq) {
                o = OwnedArrays.mul(qh.matMul(khT), scale).softmax(-1).matMul(vh);
            } else {
                NDList parts = new NDList();
                for (long s0 = 0; s0 < nq; s0 += rows) {
                    long s1 = Math.min(nq, s0 + rows);
                    try (NDScope block = new NDScope()) {
                        NDArray qs = qh.get(new ai.djl.ndarray.index.NDIndex(":, :, {}:{}", s0, s1));
                        parts.add(keep(OwnedArrays.mul(qs.matMul(khT), scale).softmax(-1).matMul(vh)));
                    }
                }
                o = NDArrays.concat(parts, 2);
                parts.close();
            }
            return keep(o.transpose(0, 2, 1, 3).reshape(b, nq, c));
        }
    }

    /** [B,N,H*d] -> [B,H,N,d]. */
    public static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** Nearest-neighbour up-sampling by 2 in H and W (torch interpolate(scale_factor=2, mode="nearest")). */
    public static NDArray upsampleNearest2x(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    /** [B,C,H,W] -> [B,H*W,C] (token index = y*W + x). */
    public static NDArray toTokens(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3), s.get(1));
    }

    /** [B,H*W,C] -> [B,C,H,W]. */
    public static NDArray fromTokens(NDArray t, long h, long w) {
        Shape s = t.getShape();
        return t.reshape(s.get(0), h, w, s.get(2)).transpose(0, 3, 1, 2);
    }

    /**
     * A copy of a model input in {@code scope} and dtype {@code dt} that keeps the autograd graph, so gradients
     * flow back to the caller's array (a latent being optimised). DJL's {@code duplicate()} and {@code toType()}
     * both detach (measured with DJL 0.36 / libtorch 2.7.1: backward then fails with "does not require grad"),
     * so the copy is an arithmetic op instead: {@code a * 1} for the same dtype, {@code a * ones[1]} of the
     * wider dtype for an up-cast (a 1-D operand takes part in torch's type promotion, a 0-D one would not).
     * A down-cast of an array that requires a gradient has no differentiable form in DJL and is refused.
     */
    public static NDArray inputCopy(NDManager scope, NDArray a, DataType dt) {
        NDArray c;
        if (a.getDataType() == dt) {
            c = OwnedArrays.mul(a, 1);
        } else if (!a.hasGradient()) {
            c = a.toType(dt, true);
        } else if (dt.getNumOfBytes() > a.getDataType().getNumOfBytes() && dt.isFloating()) {
            try (NDArray one = a.getManager().ones(new Shape(1), dt)) {
                c = a.mul(one);
            }
        } else {
            throw new IllegalArgumentException("an input that requires a gradient must already have the model's dtype "
                    + dt + " (got " + a.getDataType() + "): DJL cannot down-cast differentiably");
        }
        c.attach(scope);
        return c;
    }

    /** Takes {@code a} out of the innermost {@link NDScope}, so it survives the scope's close. */
    public static NDArray keep(NDArray a) {
        NDScope.unregister(a);
        return a;
    }
}
