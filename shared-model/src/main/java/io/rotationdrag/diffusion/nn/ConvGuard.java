package io.rotationdrag.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The one 2-D convolution of the engine, with a guard around a libtorch defect.
 *
 * <p>Why: libtorch 2.7.1's CPU build (DJL's pytorch-native-cpu) runs a float32 convolution's backward through
 * oneDNN's {@code jit:avx512_core} kernels, which block output channels by 16. With an output channel count that is
 * not a multiple of the block (the UNet's conv_out 32 -> 4, the VAE's conv_out 128 -> 3, its quant convs 8 -> 8) the
 * padded lanes are read as garbage: the input gradient was 78-96 % wrong, sometimes NaN (measured grid:
 * {@code ConvGradientGrid}, docs/kernels.md). float64 and the forward are exact. Zero-padding the output channels
 * up to a multiple of the block and slicing the result is exact: the extra channels have zero weights and bias, so
 * y[:, :out] is unchanged, and their (zero) upstream gradient adds nothing to dL/dx, dL/dW or dL/db.
 *
 * <p>The guard is on by default on every machine (whether or not its CPU shows the defect): it costs a few per cent
 * of the few convolutions it touches (measured in the grid) and takes nothing away where the kernel is right.
 * {@link KernelSelfCheck} probes the kernels once per process against float64 and widens the block if a later CPU
 * or libtorch needs it. It applies to inference too: DJL cannot tell whether a gradient will flow through an
 * intermediate array ({@code hasGradient()} is false for non-leaf arrays, measured), and the forward is exact either
 * way (the padded channels are sliced off).
 */
public final class ConvGuard {
    /** Output channels are padded up to a multiple of this; 1 turns the guard off (for measurement only). */
    public static final int DEFAULT_BLOCK = 16;
    /** {@code -Drotationdrag.conv.block=1} turns the guard off: only for measuring what it fixes (A/B runs). */
    private static volatile int block = Integer.getInteger("rotationdrag.conv.block", DEFAULT_BLOCK);

    private ConvGuard() {
    }

    /** The current output-channel block (1 = guard off). */
    public static int block() {
        return block;
    }

    /** Sets the output-channel block; {@link KernelSelfCheck} and the grid benchmark use it. */
    public static void setBlock(int b) {
        if (b < 1) {
            throw new IllegalArgumentException("block must be >= 1: " + b);
        }
        block = b;
    }

    /** 2-D cross-correlation (torch.nn.functional.conv2d), zero padding {@code pad} on each side; w [out,in,k,k]. */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int pad) {
        long out = w.getShape().get(0);
        int blk = block;
        long padded = (out + blk - 1) / blk * blk;
        if (padded == out) {
            return raw(x, w, b, stride, pad);
        }
        // every temporary (zero weights, padded weight and bias, full output) is freed here; autograd keeps what
        // backward needs, and the slice is moved into x's manager (Ops' manager rule)
        try (NDScope scope = new NDScope()) {
            Shape ws = w.getShape();
            NDArray wz = x.getManager().zeros(new Shape(padded - out, ws.get(1), ws.get(2), ws.get(3)), w.getDataType());
            NDArray wp = NDArrays.concat(new NDList(w, wz), 0);
            NDArray bp = null;
            if (b != null) {
                NDArray bz = x.getManager().zeros(new Shape(padded - out), b.getDataType());
                bp = NDArrays.concat(new NDList(b, bz), 0);
            }
            NDArray y = raw(x, wp, bp, stride, pad).get(new NDIndex(":, 0:{}", out));
            return Ops.keep(Ops.local(x, y));
        }
    }

    /** The libtorch kernel without the guard (the grid and the self-check compare it with float64). */
    public static NDArray raw(NDArray x, NDArray w, NDArray b, int stride, int pad) {
        return Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), 1)
                .singletonOrThrow();
    }
}
